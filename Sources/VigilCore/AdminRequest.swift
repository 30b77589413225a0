import VigilModel

/// An administrator's request on a resource group (`vigil rg ...`), or an acknowledgement of an
/// UNSTABLE cluster (`vigil acknowledge`), carried out cluster-wide by the coordinator.
public enum AdminRequest: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Move the group to the node and keep it there (sticky) until cleared or moved again.
    case move(group: String, node: String)
    /// Bring the group online where its policy puts it, clearing any hold and sticky placement.
    case online(group: String)
    /// Take the group offline; `sticky`: it stays offline until brought online, whatever happens.
    case offline(group: String, sticky: Bool)
    /// The administrator has looked at the event that ran longer than `config_too_long`: the
    /// cluster is no longer marked UNSTABLE for it (the seed's "until an administrator acts").
    case acknowledge
    /// `vigil sync`: take configuration version `version` for a new configuration, so that two
    /// syncs never store different texts under one number. Granted only when `version` follows the
    /// newest version the cluster has (the agreed one, and every member's stored one), and, with
    /// `expecting`, only when that newest version is `expecting` (compare-and-swap).
    case claimConfigVersion(version: UInt64, expecting: UInt64?)

    /// The group the request is about (`nil` for `acknowledge`).
    public var group: String? {
        switch self {
        case .move(let group, _), .online(let group), .offline(let group, _): group
        case .acknowledge, .claimConfigVersion: nil
        }
    }

    var arguments: [String] {
        switch self {
        case .move(let group, let node): [group, "move", node]
        case .online(let group): [group, "online"]
        case .offline(let group, let sticky): [group, sticky ? "offline --sticky" : "offline"]
        case .acknowledge: ["acknowledge"]
        case .claimConfigVersion(let version, _): ["sync", "\(version)"]
        }
    }

    /// The request as the command line writes it: `rg move SH2 ghost4`.
    public var description: String {
        switch self {
        case .move(let group, let node): "rg move \(group) \(node)"
        case .online(let group): "rg online \(group)"
        case .offline(let group, let sticky): "rg offline \(group)\(sticky ? " --sticky" : "")"
        case .acknowledge: "acknowledge"
        case .claimConfigVersion(let version, let expecting):
            "sync version \(version)\(expecting.map { " (expecting version \($0))" } ?? "")"
        }
    }
}

/// A request on its way to the coordinator, with who asked, so that the answer can come back.
public struct AdminEnvelope: Sendable, Hashable, Codable {
    public var id: UInt64
    public var origin: String
    public var request: AdminRequest
}

/// The coordinator's answer: done, or refused and why.
public struct AdminReply: Sendable, Hashable, Codable {
    public var id: UInt64
    /// The node the request was made on.
    public var origin: String
    public var request: AdminRequest
    /// `nil` when the request was carried out; otherwise why it was refused (nothing changed).
    public var refusal: String?
}

/// What administrators have decided about groups, kept in the agreed state.
public struct AdminState: Sendable, Hashable, Codable {
    /// Groups an administrator moved: they stay on that node while it is eligible.
    public var sticky: [String: String] = [:]
    /// Groups held offline, and why.
    public var held: [String: Hold] = [:]
    /// Groups left running unmanaged by a node stopped with `--forced`: nobody else acquires them.
    public var unmanaged: [String: String] = [:]

    public init() {}

    /// Why a group is held offline.
    public enum Hold: Sendable, Hashable, Codable {
        /// `rg offline`; a non-sticky hold is cleared by the next node_up or node_down.
        case administrator(sticky: Bool)
        /// Its node was stopped gracefully; it comes back with that node.
        case stoppedWith(node: String)
    }
}
