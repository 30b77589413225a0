import Foundation
import VigilRuntime

/// Plain-text output of the daemon's answers, shared by the commands.
enum AdminText {
    /// The lines of a payload: a sentence, a log line, a status table, a group table.
    static func lines(_ payload: AdminPayload) -> [String] {
        switch payload {
        case .done(let message): [message]
        case .log(let lines): lines
        case .status(let snapshot): StatusRenderer.lines(snapshot)
        case .groups(let list): StatusRenderer.groupLines(list.groups, nodes: list.nodes)
        case .preview(let preview): SyncPreviewRenderer.lines(preview)
        case .history(let entries, let running): ConfigHistoryRenderer.lines(entries, running: running)
        case .config(_, let text), .snapshot(_, let text): [text.hasSuffix("\n") ? String(text.dropLast()) : text]
        case .snapshots(let entries): SnapshotRenderer.list(entries)
        case .statuses(let nodes): ClusterDrift(nodes).lines
        case .agreed(let answer): [agreedLine(answer)]
        }
    }

    /// `ghost1: view 12, configuration version 3`.
    static func agreedLine(_ answer: AgreedStateAnswer) -> String {
        let view = answer.state.map { "view \($0.epoch)" } ?? "no view"
        return "\(answer.node): \(view), configuration version \(answer.configVersion)"
    }
}

/// Writes a line to standard output at once: streams (`status --watch`, `log --follow`) must show
/// each line when it comes, even into a pipe.
func printFlushed(_ line: String) {
    print(line)
    fflush(nil)  // every output stream: naming `stdout` is not concurrency-safe in Swift 6
}

/// Writes a line to standard error.
func printToStandardError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
