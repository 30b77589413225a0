import VigilCore

/// The journal entries of the daemon's log lines: the message as the log files have it, and what
/// it is about as fields of their own, taken from the core's record (`LogRecord.Subject`), never
/// read back out of its text.
///
/// | field | value |
/// |---|---|
/// | `MESSAGE` | the line's text |
/// | `PRIORITY` | 5 (notice): cluster log; 6 (info): event log; 3, 4: the runtime's `ERROR:`, `WARNING:` |
/// | `SYSLOG_IDENTIFIER` | `vigild` |
/// | `VIGIL_LOG` | `cluster` (the line is in cluster.log and vigil.log) or `event` (vigil.log only) |
/// | `VIGIL_REPORTER` | the node whose daemon wrote the line |
/// | `VIGIL_EVENT` | the agreed event it starts or completes (`node_down`) |
/// | `VIGIL_EVENT_STEP` | `start` or `completed` |
/// | `VIGIL_GROUP` | the resource group it is about |
/// | `VIGIL_NODE` | the node it is about (the event's node; the node a group is acquired or released on) |
extension JournalEntry {
    /// The identifier of every entry (`SYSLOG_IDENTIFIER`).
    public static let identifier = "vigild"

    /// The entry of a core record.
    public init(record: LogRecord) {
        self.init(
            message: record.text, priority: record.destination == .cluster ? .notice : .info,
            identifier: Self.identifier)
        add("VIGIL_LOG", record.destination.rawValue)
        add("VIGIL_REPORTER", record.node)
        guard let subject = record.subject else { return }
        add("VIGIL_EVENT", subject.event?.rawValue)
        add("VIGIL_EVENT_STEP", subject.eventStarts.map { $0 ? "start" : "completed" })
        add("VIGIL_GROUP", subject.group)
        add("VIGIL_NODE", subject.node)
    }

    /// The entry of a line from the runtime itself (driver notes, hook output) on `node`.
    public init(runtimeLine text: String, node: String) {
        let priority: Priority =
            text.hasPrefix("ERROR") ? .error : text.hasPrefix("WARNING") ? .warning : .info
        self.init(message: text, priority: priority, identifier: Self.identifier)
        add("VIGIL_LOG", LogRecord.Destination.event.rawValue)
        add("VIGIL_REPORTER", node)
    }
}
