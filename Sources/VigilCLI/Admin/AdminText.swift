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
        case .groups(let groups): StatusRenderer.groupLines(groups)
        }
    }
}

/// Writes a line to standard error.
func printToStandardError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
