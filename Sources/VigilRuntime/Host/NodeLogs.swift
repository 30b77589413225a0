import Foundation
import VigilCore

/// A node's two logs in its state directory, as the seed keeps them:
/// - `vigil.log`, the event log (the seed's hacmp.out): every record in full detail, hook output,
///   driver notes;
/// - `cluster.log`: one line per event start and completion (`EVENT START: node_up ghost4` /
///   `EVENT COMPLETED: node_up ghost4`) and the other records the core sends there (services
///   starting and stopping, placement decisions with their reasons).
/// Every line starts with the wall-clock time and the node's name; the core's own time
/// (a monotonic `Moment`) follows in brackets in the event log.
///
/// With a `journal`, every line also goes to systemd's journal, with the fields of
/// `JournalEntry.init(record:)` (docs/systemd.md).
public final class NodeLogs: Sendable {
    public let node: String
    /// `STATE/vigil.log`.
    public let eventLog: LogFile
    /// `STATE/cluster.log`.
    public let clusterLog: LogFile
    /// The journal, when the daemon writes to it as well.
    public let journal: JournalSink?

    /// Opens (creating) both logs in `stateDirectory`, creating the directory if needed.
    public init(node: String, stateDirectory: String, journal: JournalSink? = nil) throws(DriverFailure) {
        do {
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        } catch {
            throw DriverFailure("cannot create state directory \(stateDirectory): \(error)")
        }
        self.node = node
        self.journal = journal
        self.eventLog = try LogFile(path: stateDirectory + "/vigil.log")
        self.clusterLog = try LogFile(path: stateDirectory + "/cluster.log")
    }

    /// Writes a core record where it says: cluster records go to both logs (the event log has
    /// everything), event records to the event log only.
    public func write(_ record: LogRecord) {
        if record.destination == .cluster { clusterLog.append("\(record.node) \(record.text)") }
        eventLog.append("\(record.node) [\(record.time)] \(record.text)")
        journal?.send(JournalEntry(record: record))
    }

    /// A line from the runtime itself (driver notes, hook output) for the event log.
    public func event(_ text: String) {
        eventLog.append("\(node) \(text)")
        journal?.send(JournalEntry(runtimeLine: text, node: node))
    }
}
