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
public struct GroupHolding: Sendable, Hashable, Codable {
    public var state: GroupState
    /// Where each of the group's service addresses is configured, by label.
    public var addressAdapters: [String: String]
    /// What failed, when `state == .error`.
    public var failure: String?

    public init(state: GroupState, addressAdapters: [String: String] = [:], failure: String? = nil) {
        self.state = state
        self.addressAdapters = addressAdapters
        self.failure = failure
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
