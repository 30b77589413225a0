import VigilModel

/// The state-transition diagram in Graphviz's DOT language: one node per distinct placement,
/// labelled with it, and one edge per distinct (state, event, state), labelled with the event.
/// States and edges come in the order the exploration first met them, so the same exploration
/// always gives the same text.
public enum TransitionDiagram {
    public static func dot(_ exploration: Exploration) -> String {
        let nodes = exploration.config.nodes.map(\.name)
        var states: [ClusterPlacement] = []
        var edges: [Edge] = []
        for transition in exploration.transitions {
            for state in [transition.before, transition.result] where !states.contains(state) { states.append(state) }
            let edge = Edge(from: transition.before, event: transition.event, to: transition.result)
            if !edges.contains(edge) { edges.append(edge) }
        }
        var lines = [
            "digraph \(quoted(exploration.config.name)) {",
            "  rankdir=LR;",
            "  node [shape=box, fontname=\"Helvetica\", fontsize=10];",
            "  edge [fontname=\"Helvetica\", fontsize=9];",
        ]
        for (index, state) in states.enumerated() {
            let label =
                state == .nothingOnline
                ? "nothing online"
                : nodes.map { node in "\(node): \((state.groups[node] ?? []).joined(separator: ", ").orNone)" }
                    .joined(separator: "\n")
            let style = state == exploration.steady ? ", style=bold" : ""
            lines.append("  s\(index) [label=\(quoted(label))\(style)];")
        }
        for edge in edges {
            let from = states.firstIndex(of: edge.from)!
            let to = states.firstIndex(of: edge.to)!
            lines.append("  s\(from) -> s\(to) [label=\(quoted(edge.event))];")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// One edge of the diagram.
    struct Edge: Equatable {
        var from: ClusterPlacement
        var event: String
        var to: ClusterPlacement
    }

    /// A DOT string: quotes and backslashes escaped, line breaks as `\n`.
    static func quoted(_ text: String) -> String {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return "\"\(escaped)\""
    }
}

extension String {
    /// `---` for an empty list of groups, as the seed writes it.
    fileprivate var orNone: String { isEmpty ? "---" : self }
}
