import VigilModel

/// What a node really holds: the truth its coordinator plans from, reported after every change.
public struct Holdings: Sendable, Hashable, Codable {
    public var groups: [String: GroupHolding] = [:]
    /// The node's own service addresses (role `service` interfaces), by label: the adapter they are on.
    public var ownAddresses: [String: String] = [:]

    public init(groups: [String: GroupHolding] = [:], ownAddresses: [String: String] = [:]) {
        self.groups = groups
        self.ownAddresses = ownAddresses
    }

    /// The state of a group here (`offline` when not held at all).
    public func state(of group: String) -> GroupState { groups[group]?.state ?? .offline }

    /// Groups in any state but offline: counted as held, for safety, even while being acquired or
    /// released or after a failure.
    public var heldGroups: [String] { groups.filter { $0.value.state != .offline }.map(\.key).sorted() }

    public var isEmpty: Bool { heldGroups.isEmpty && ownAddresses.isEmpty }
}

/// One group on one node.
public struct GroupHolding: Sendable, Hashable {
    public var state: GroupState
    /// Where each of the group's service addresses is configured, by label.
    public var addressAdapters: [String: String]
    /// What failed, when `state == .error`.
    public var failure: GroupFailure?

    public init(state: GroupState, addressAdapters: [String: String] = [:], failure: GroupFailure? = nil) {
        self.state = state
        self.addressAdapters = addressAdapters
        self.failure = failure
    }
}

/// Why a group is in error on a node: what was being done when it failed, and what failed.
public struct GroupFailure: Sendable, Hashable, CustomStringConvertible {
    public enum Stage: String, Sendable, Hashable, Codable {
        /// Acquiring it, moving its addresses, or releasing it (an action batch failed).
        case acquire, relocate, release
        /// It was online and one of its resources failed by itself (an application's monitor).
        case running
        /// The daemon found it partly present on the host when it started.
        case found
    }

    public var stage: Stage
    /// The failure's account, as the log and `vigil status` show it.
    public var reason: String

    public init(_ stage: Stage, _ reason: String) {
        self.stage = stage
        self.reason = reason
    }

    public var description: String { reason }
}

/// On the wire a holding's failure is its account under `failure` (as before the stage was
/// typed), and its stage beside it under `failureStage`: a node of an earlier version reads the
/// account and ignores the stage; a failure from such a node reads as `found`.
extension GroupHolding: Codable {
    private enum CodingKeys: String, CodingKey { case state, addressAdapters, failure, failureStage }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        state = try container.decode(GroupState.self, forKey: .state)
        addressAdapters = try container.decode([String: String].self, forKey: .addressAdapters)
        if let reason = try container.decodeIfPresent(String.self, forKey: .failure) {
            let stage = try container.decodeIfPresent(GroupFailure.Stage.self, forKey: .failureStage)
            failure = GroupFailure(stage ?? .found, reason)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(state, forKey: .state)
        try container.encode(addressAdapters, forKey: .addressAdapters)
        try container.encodeIfPresent(failure?.reason, forKey: .failure)
        try container.encodeIfPresent(failure?.stage, forKey: .failureStage)
    }
}

/// The states of a group on a node, as `vigil status` shows them.
public enum GroupState: String, Sendable, Hashable, CaseIterable {
    case offline = "OFFLINE"
    case acquiring = "ACQUIRING"
    case online = "ONLINE"
    case releasing = "RELEASING"
    /// An acquisition or release failed: the node keeps counting as a holder until an administrator
    /// or a successful release clears it.
    case error = "ERROR"
}
