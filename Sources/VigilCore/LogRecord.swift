/// A line for a log, with the time it happened.
public struct LogRecord: Sendable, Hashable, CustomStringConvertible {
    public enum Destination: String, Sendable, Hashable {
        /// The cluster log (the seed's cluster.log): a line per event start and completion.
        case cluster
        /// The node's event log (the seed's hacmp.out): every decision and action, in detail.
        case event
    }

    public var time: Moment
    public var node: String
    public var destination: Destination
    public var text: String

    public var description: String { "\(time) \(node) \(text)" }
}
