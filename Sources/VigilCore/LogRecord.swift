import VigilModel

/// A line for a log, with the time it happened.
public struct LogRecord: Sendable, Hashable, CustomStringConvertible {
    public enum Destination: String, Sendable, Hashable {
        /// The cluster log (the seed's cluster.log): a line per event start and completion.
        case cluster
        /// The node's event log (the seed's hacmp.out): every decision and action, in detail.
        case event
    }

    /// What a record is about, as values rather than words of its text: the runtime hands them to
    /// structured logs (the journal's `VIGIL_EVENT`, `VIGIL_GROUP`, `VIGIL_NODE` fields).
    public struct Subject: Sendable, Hashable {
        /// The agreed event the record starts or completes.
        public var event: ClusterEventName?
        /// Whether the record is the event's start (`true`) or its completion (`false`).
        public var eventStarts: Bool?
        /// The resource group it is about.
        public var group: String?
        /// The node it is about (the event's node, or the node a group's change happens on).
        public var node: String?

        public init(event: ClusterEventName? = nil, eventStarts: Bool? = nil, group: String? = nil, node: String? = nil)
        {
            self.event = event
            self.eventStarts = eventStarts
            self.group = group
            self.node = node
        }
    }

    public var time: Moment
    public var node: String
    public var destination: Destination
    public var text: String
    /// What the record is about, when the core knows it (`nil`: a general line).
    public var subject: Subject? = nil

    public var description: String { "\(time) \(node) \(text)" }
}
