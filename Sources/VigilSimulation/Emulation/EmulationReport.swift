/// What `vigil emulate` found: the agreed events in order, every group's `FROM -> TO` with the
/// rule and the candidates passed over, the actions and hooks each node would run (none was run),
/// and how long each moved group would be without service. `lines` is the text output, `dot` the
/// transitions for Graphviz; the whole value is the `--json` output.
public struct EmulationReport: Sendable, Hashable, Codable {
    /// One group before and after.
    public struct GroupOutcome: Sendable, Hashable, Codable {
        public var group: String
        /// Where it was online before the events, and where after (empty: offline).
        public var from: [String]
        public var to: [String]
        /// The agreed placement's reason after the events.
        public var reason: String
        /// The rule that decided, and each candidate before the chosen one with why it was passed over.
        public var rule: String?
        public var passedOver: [String]
        /// How long it was online nowhere in the copy (the configured detection and takeover wait,
        /// and the simulator's time to start its resources), when it moved.
        public var outageSeconds: Double?

        public var moves: Bool { Set(from) != Set(to) }
    }

    /// What one node would run, in order, with the time from the first event: the commands of
    /// its hooks (pre, post, notify, recovery) and the actions on its resources.
    public struct NodeActions: Sendable, Hashable, Codable {
        public var node: String
        public var lines: [String]
    }

    /// The configured figure a takeover waits for.
    public struct Timing: Sendable, Hashable, Codable {
        /// How long survivors wait after they last heard a node before taking its groups.
        public var takeoverWaitSeconds: Double
    }

    public var origin: String
    public var events: [String]
    /// The agreed event lines, with the time from the first event.
    public var log: [String]
    public var groups: [GroupOutcome]
    public var actions: [NodeActions]
    public var timing: Timing
    /// What could not be done or known.
    public var notes: [String]

    public var moved: Int { groups.filter(\.moves).count }
    public var stayed: Int { groups.count - moved }

    /// `emulate: N groups move, M stay; nothing was changed`.
    public var summary: String {
        let groups = moved == 1 ? "1 group moves" : "\(moved) groups move"
        return "emulate: \(groups), \(stayed) stay; nothing was changed"
    }

    /// The report as text, the summary last.
    public var lines: [String] {
        var out = ["emulate \(events.joined(separator: " --then ")) from \(origin)", "", "events:"]
        out += log.isEmpty ? ["  (none)"] : log.map { "  \($0)" }
        out += ["", "groups:"]
        for outcome in groups {
            let from = Self.list(outcome.from)
            let to = Self.list(outcome.to)
            if outcome.moves {
                var line = "  \(outcome.group): \(from) -> \(to)"
                if let seconds = outcome.outageSeconds {
                    line += String(format: " (no service for about %.2fs)", seconds)
                }
                out.append(line)
                out.append("    why: \(outcome.reason)")
                for candidate in outcome.passedOver { out.append("    passed over \(candidate)") }
            } else {
                out.append("  \(outcome.group): stays \(to)")
            }
        }
        out += ["", "actions (none was run):"]
        if actions.isEmpty { out.append("  (none)") }
        for node in actions {
            out.append("  \(node.node):")
            out += node.lines.map { "    \($0)" }
        }
        if groups.contains(where: \.moves) {
            out += [
                "",
                String(
                    format: "timing: the outages are the copy's, with the configured heartbeats and the takeover "
                        + "wait (%.2fs after a failed node was last heard, or once it is fenced); the resources' "
                        + "start is the simulator's, not measured", timing.takeoverWaitSeconds),
            ]
        }
        if !notes.isEmpty { out += [""] + notes.map { "note: \($0)" } }
        out.append(summary)
        return out
    }

    /// The transitions as a Graphviz digraph: the placement before and after, the events on the edge.
    public var dot: String {
        func label(_ side: KeyPath<GroupOutcome, [String]>) -> String {
            groups.map { "\($0.group): \(Self.list($0[keyPath: side]))" }.joined(separator: "\\n")
        }
        return """
            digraph emulate {
              rankdir=LR;
              node [shape=box, fontname="monospace"];
              before [label="\(label(\.from))"];
              after [label="\(label(\.to))"];
              before -> after [label="\(events.joined(separator: "\\n").replacingOccurrences(of: "\"", with: "'"))"];
            }
            """
    }

    static func list(_ nodes: [String]) -> String { nodes.isEmpty ? "OFFLINE" : nodes.joined(separator: ",") }
}
