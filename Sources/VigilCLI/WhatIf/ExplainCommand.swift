import ArgumentParser
import Foundation
import VigilCore
import VigilRuntime

/// `vigil explain GROUP`: the decision the cluster agreed that put a group where it is — the
/// agreed event, the rule, every candidate in the group's order with why each before the chosen
/// one was passed over — and when the cluster log recorded it. Read from the agreed state (the
/// status snapshot), not recomputed.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show why a resource group is where it is.",
        discussion: """
            Prints the decision the cluster agreed for the group: where it is online, the event it \
            was decided in, the rule, and the group's nodes in order with what was found about each \
            (not up, DISCONNECTED, lost a network, failed the group, lower priority, passed over and \
            why), and the cluster log's line for the decision with its time. `vigil status --why` \
            shows the same for every group, and the HTTP API's /v1/status carries it (`decision`).
            """)

    @Argument(help: "The resource group.", completion: LocalClusterNames.groups)
    var group: String

    @OptionGroup var options: AdminOptions

    func run() async throws {
        let status = await execute(print: printFlushed, printError: printToStandardError)
        if status != 0 { throw ExitCode(status) }
    }

    func execute(print: (String) -> Void, printError: (String) -> Void) async -> Int32 {
        let client = AdminClient(socketPath: options.socketPath, answerTimeout: options.timeout.duration)
        let snapshot: StatusSnapshot
        var logLines: [String] = []
        do {
            guard case .ok(.status(let answer)) = try await client.send(.status(watchIntervalMilliseconds: nil)) else {
                printError("vigil: explain: vigild did not answer with its status")
                return 1
            }
            snapshot = answer
            // The cluster log comes as a stream of lines; the decision's line is the last that
            // placed the group.
            _ = try? await client.stream(.log(cluster: true, lines: 5000, follow: false)) { response in
                if case .ok(.log(let lines)) = response { logLines += lines }
                return true
            }
        } catch let error as AdminClientError {
            printError("vigil: \(error)")
            return AdminExchange.unreachable
        } catch {
            printError("vigil: \(error)")
            return 1
        }
        guard let found = snapshot.groups.first(where: { $0.name == group }) else {
            let names = snapshot.groups.map(\.name).joined(separator: ", ")
            printError("vigil: explain: no resource group \(group) in cluster \(snapshot.cluster) (\(names))")
            return 1
        }
        let decidedAt = logLines.last { $0.contains(" placement: \(group) -> ") }
        if options.json {
            print(AdminExchange.json(Explanation(group: found, logLine: decidedAt)))
        } else {
            DecisionRenderer.explain(found, logLine: decidedAt).forEach(print)
        }
        return 0
    }

    /// `--json`: the group's agreed decision and the cluster log's line for it.
    struct Explanation: Encodable {
        var group: StatusSnapshot.Group
        var logLine: String?
    }
}

/// The agreed placement decision in words (`vigil explain`, `vigil status --why`).
enum DecisionRenderer {
    /// The whole explanation of one group.
    static func explain(_ group: StatusSnapshot.Group, logLine: String?) -> [String] {
        let online = group.placements.filter { $0.state == .online }.map(\.node)
        var lines = [
            "\(group.name) (\(group.policy)) is "
                + (online.isEmpty ? "OFFLINE" : "ONLINE on \(online.joined(separator: ", "))")
        ]
        guard let decision = group.decision else {
            lines.append(
                "  why: \(group.reason ?? "no decision recorded (no node is in a view, or the coordinator is older)")")
            return lines
        }
        if let event = group.decidedIn ?? decision.cause {
            lines.append("  decided in: \(event)\(decision.event.map { " (event \($0))" } ?? "")")
        }
        if let logLine { lines.append("  when: \(logLine)") }
        lines.append("  rule: \(decision.rule)")
        if !decision.candidates.isEmpty {
            lines.append("  candidates, in the group's order:")
            let width = decision.candidates.map(\.node.count).max() ?? 0
            for candidate in decision.candidates {
                let pad = String(repeating: " ", count: width - candidate.node.count)
                lines.append("    \(candidate.node)\(pad)  \(candidate.finding)")
            }
        }
        if let hold = group.hold { lines.append("  held: \(hold)") }
        if let sticky = group.sticky { lines.append("  sticky on: \(sticky)") }
        if let error = group.error { lines.append("  error: \(error)") }
        return lines
    }

    /// One line per group for `vigil status --why`:
    /// `SH2: node_down ghost3: cascading: ...; ghost3: not up, ghost4: chosen`.
    static func why(_ group: StatusSnapshot.Group) -> String? {
        guard let decision = group.decision else { return group.reason.map { "  \(group.name): \($0)" } }
        let cause = (group.decidedIn ?? decision.cause).map { "\($0): " } ?? ""
        return "  \(group.name): \(cause)\(decision.summary)"
    }
}
