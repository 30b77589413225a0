import Foundation
import VigilRuntime

/// The text of `vigil snapshot list` and `vigil snapshot show`.
enum SnapshotRenderer {
    static func list(_ entries: [SnapshotEntry]) -> [String] {
        guard !entries.isEmpty else { return ["no snapshot is saved on this node (vigil snapshot save NAME)"] }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let width = max(4, entries.map(\.name.count).max() ?? 0) + 2
        var lines = ["NAME".padding(toLength: width, withPad: " ", startingAt: 0) + "SAVED                 BYTES"]
        for entry in entries.reversed() {
            lines.append(
                entry.name.padding(toLength: width, withPad: " ", startingAt: 0)
                    + formatter.string(from: Date(timeIntervalSince1970: entry.savedAt))
                    .padding(toLength: 22, withPad: " ", startingAt: 0) + "\(entry.bytes)")
        }
        return lines
    }

    /// A snapshot for reading: its heading, every node's status table as `vigil status` draws it
    /// (or UNREACHABLE), then the configuration.
    static func show(_ snapshot: SnapshotFile) -> [String] {
        var lines = [
            "snapshot \(snapshot.name), taken \(snapshot.taken) on \(snapshot.node): cluster \(snapshot.cluster), "
                + "configuration version \(snapshot.configVersion)"
        ]
        for (node, json) in snapshot.statuses {
            lines.append("")
            guard let json else {
                lines.append("== \(node): UNREACHABLE when the snapshot was taken")
                continue
            }
            lines.append("== \(node)")
            if let status = try? JSONDecoder().decode(StatusSnapshot.self, from: Data(json.utf8)) {
                lines += StatusRenderer.lines(status)
                if let events = status.recentEvents, !events.isEmpty {
                    lines.append("")
                    lines.append("events:")
                    lines += events.map { "  \($0)" }
                }
            } else {
                lines.append("(its status cannot be read by this vigil)")
            }
        }
        lines.append("")
        lines.append("== configuration (version \(snapshot.configVersion))")
        lines += snapshot.configuration.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return lines
    }
}
