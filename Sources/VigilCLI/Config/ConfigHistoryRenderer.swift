import Foundation
import VigilRuntime

/// The text and JSON of `vigil config history` and `vigil config show`.
enum ConfigHistoryRenderer {
    /// `vigil config history --json`.
    struct JSON: Encodable {
        var entries: [ConfigStore.HistoryEntry]
        var running: UInt64
    }

    /// `vigil config show --json`.
    struct Text: Encodable {
        var version: UInt64
        var text: String
    }

    /// One line per kept version, newest first; the running one marked.
    static func lines(_ entries: [ConfigStore.HistoryEntry], running: UInt64) -> [String] {
        guard !entries.isEmpty else {
            return ["no configuration version is kept on this node yet (the running one is version \(running))"]
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var lines = ["VERSION  STORED                BYTES"]
        for entry in entries.reversed() {
            let stored = formatter.string(from: Date(timeIntervalSince1970: entry.storedAt))
            let mark = entry.version == running ? "  running" : ""
            lines.append(
                String("\(entry.version)".padding(toLength: 9, withPad: " ", startingAt: 0))
                    + stored.padding(toLength: 22, withPad: " ", startingAt: 0) + "\(entry.bytes)\(mark)")
        }
        if !entries.contains(where: { $0.version == running }) {
            lines.append("(the running version \(running) is not kept: it was never synchronised)")
        }
        return lines
    }
}
