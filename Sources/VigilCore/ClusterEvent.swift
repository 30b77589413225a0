import VigilModel

/// An agreed cluster event: what happened, in the seed's vocabulary. Events run one at a time, in
/// the same order on every node, each logged at its start and completion.
public enum ClusterEvent: Sendable, Hashable, Codable, CustomStringConvertible {
    case nodeUp(node: String)
    case nodeDown(node: String, how: Departure)
    /// A network failed on one node, or on every node attached to it (`node == nil`).
    case networkDown(network: String, node: String?)
    case networkUp(network: String, node: String?)
    /// The adapter carrying a node's service addresses on a network failed; they move to `to`.
    case swapAdapter(node: String, network: String, from: String, to: String)
    /// A standby adapter failed.
    case failStandby(node: String, adapter: String)
    /// A failed adapter works again and becomes a standby.
    case joinStandby(node: String, adapter: String)
    /// An administrator's request on a resource group.
    case rgMove(AdminRequest)
    /// Configuration `version`, stored on every member, becomes the one the cluster runs (DARE):
    /// the groups it stops, restarts or moves are released first under the running version, then
    /// every member runs the new one, then groups start where it places them.
    case reconfig(version: UInt64)

    /// How a node left the cluster.
    public enum Departure: String, Sendable, Hashable {
        /// It failed (crash, lost on every path).
        case failed
        /// `stop --graceful`: it released its groups; they stay offline until it returns.
        case graceful
        /// `stop --takeover`: it released its groups; the others took them over.
        case takeover
        /// `stop --forced`: it left its resources running, unmanaged; nobody takes them over.
        case forced
    }

    /// The seed's event name.
    public var name: ClusterEventName {
        switch self {
        case .nodeUp: .nodeUp
        case .nodeDown: .nodeDown
        case .networkDown: .networkDown
        case .networkUp: .networkUp
        case .swapAdapter: .swapAdapter
        case .failStandby: .failStandby
        case .joinStandby: .joinStandby
        case .rgMove: .rgMove
        case .reconfig: .reconfig
        }
    }

    /// The event's arguments, as logged and passed to hooks.
    public var arguments: [String] {
        switch self {
        case .nodeUp(let node): [node]
        case .nodeDown(let node, let how): how == .failed ? [node] : [node, how.rawValue]
        case .networkDown(let network, let node), .networkUp(let network, let node): [node ?? "-1", network]
        case .swapAdapter(let node, let network, let from, let to): [node, network, from, to]
        case .failStandby(let node, let adapter), .joinStandby(let node, let adapter): [node, adapter]
        case .rgMove(let request): request.arguments
        case .reconfig(let version): ["\(version)"]
        }
    }

    public var description: String { ([name.rawValue] + arguments).joined(separator: " ") }

    /// The node the event is about (`nil`: a network on every node, an administrator's request
    /// other than a move, a reconfiguration).
    public var affectedNode: String? {
        switch self {
        case .nodeUp(let node), .nodeDown(let node, _): node
        case .networkDown(_, let node), .networkUp(_, let node): node
        case .swapAdapter(let node, _, _, _), .failStandby(let node, _), .joinStandby(let node, _): node
        case .rgMove(let request):
            if case .move(_, let node) = request { node } else { nil }
        case .reconfig: nil
        }
    }

    /// The resource group the event is about (an administrator's request on a group).
    public var affectedGroup: String? {
        if case .rgMove(let request) = self { return request.group }
        return nil
    }

    /// The event's start or completion as a log record's subject.
    func subject(starts: Bool) -> LogRecord.Subject {
        LogRecord.Subject(event: name, eventStarts: starts, group: affectedGroup, node: affectedNode)
    }
}

/// An event as the cluster agreed it: its number, what it is, and when it started and completed.
public struct EventRecord: Sendable, Hashable, Codable {
    public var number: UInt64
    public var event: ClusterEvent
    public var started: Moment
    public var completed: Moment?
}
