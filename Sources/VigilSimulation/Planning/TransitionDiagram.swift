import VigilModel

/// The state-transition diagram in Graphviz's DOT language: one node per distinct placement,
/// labelled with it, and one edge per pair of states that an event leads between, labelled with
/// every such event, one a line, each once. (An edge per event drew scream's steady state with
/// sixty loops of adapter failures and repairs that move nothing, and their labels over each other.)
/// States, edges and events come in the order the exploration first met them, so the same
/// exploration always gives the same text.
public enum TransitionDiagram {
    public static func dot(_ exploration: Exploration) -> String {
        let nodes = exploration.config.nodes.map(\.name)
        var states: [ClusterPlacement] = []
        var edges: [Edge] = []
        for transition in exploration.transitions {
            for state in [transition.before, transition.result] where !states.contains(state) { states.append(state) }
            if let index = edges.firstIndex(where: { $0.from == transition.before && $0.to == transition.result }) {
                if !edges[index].events.contains(transition.event) { edges[index].events.append(transition.event) }
            } else {
                edges.append(Edge(from: transition.before, to: transition.result, events: [transition.event]))
            }
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
            lines.append("  s\(from) -> s\(to) [label=\(quoted(edge.events.joined(separator: "\n")))];")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// One edge of the diagram: the events that lead from one state to the other.
    struct Edge: Equatable {
        var from: ClusterPlacement
        var to: ClusterPlacement
        var events: [String]
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
