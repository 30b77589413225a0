import Foundation
import VigilRuntime

/// Runs one command against `vigild` for the command line: sends it, hands each successful
/// payload to a renderer (or prints it as JSON), and turns everything else into a message on
/// standard error and an exit status.
///
/// Exit status: 0 done; 1 refused by the cluster or failed in the daemon (`vigil: refused: REASON`,
/// `vigil: error: MESSAGE`); 2 the daemon could not be reached (`vigil: vigild is not running ...`).
enum AdminExchange {
    /// Exit status when the daemon could not be reached.
    static let unreachable: Int32 = 2

    /// Sends `command`; renders each `.ok` payload with `render` (text mode) until the daemon
    /// closes the connection, and hands it to `observe` in either mode. Returns the exit status.
    static func run(
        _ command: AdminCommand, options: AdminOptions, print: (String) -> Void, printError: (String) -> Void,
        render: (AdminPayload) -> [String] = AdminText.lines, observe: (AdminPayload) -> Void = { _ in }
    ) async -> Int32 {
        let client = AdminClient(socketPath: options.socketPath, answerTimeout: options.timeout.duration)
        var status: Int32 = 0
        do {
            let count = try await client.stream(command) { response in
                switch response {
                case .ok(let payload):
                    observe(payload)
                    if options.json { print(Self.json(payload)) } else { render(payload).forEach(print) }
                    return true
                case .refused(let reason):
                    if options.json { print(Self.json(response)) }
                    printError("vigil: refused: \(reason)")
                case .error(let message):
                    if options.json { print(Self.json(response)) }
                    printError("vigil: error: \(message)")
                }
                status = 1
                return false
            }
            if count == 0, !command.streams {
                printError("vigil: \(AdminClientError.noAnswer(path: options.socketPath))")
                return 1
            }
        } catch let error as AdminClientError {
            printError("vigil: \(error)")
            return Self.unreachable
        } catch {
            printError("vigil: \(error)")
            return 1
        }
        return status
    }

    /// A payload as one JSON line: the snapshot, the group list, `{"message":...}` or `{"line":...}`.
    static func json(_ payload: AdminPayload) -> String {
        switch payload {
        case .status(let snapshot): json(snapshot)
        case .groups(let groups): json(groups)
        case .done(let message): json(["message": message])
        case .log(let lines): lines.map { json(["line": $0]) }.joined(separator: "\n")
        case .preview(let preview): json(preview)
        case .history(let entries, let running): json(ConfigHistoryRenderer.JSON(entries: entries, running: running))
        case .config(let version, let text): json(ConfigHistoryRenderer.Text(version: version, text: text))
        case .snapshots(let entries): json(entries)
        case .statuses(let nodes): json(nodes)
        case .snapshot(let name, let text): json(["name": name, "text": text])
        case .agreed(let answer): json(answer)
        }
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Plain value types: encoding cannot fail.
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }
}
