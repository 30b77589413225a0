import VigilRuntime

/// What differs between the nodes of a running cluster (`vigil verify --cluster`, PowerHA's
/// "configuration not synchronised" check): the configuration version each runs and stores, and
/// each file the configuration names (scripts, hooks, fence commands), compared by content.
struct ClusterDrift {
    /// One line per difference: `drift: /etc/vigil/web.start differs on ghost2`.
    var drifts: [String] = []
    /// Nodes that did not answer: nothing of theirs could be compared.
    var unreachable: [String] = []
    var compared: [String] = []

    init(_ nodes: [NodeStatus]) {
        let answered = nodes.compactMap { entry in entry.status.map { (node: entry.node, status: $0) } }
        unreachable = nodes.filter { $0.status == nil }.map(\.node)
        compared = answered.map(\.node)
        drifts += Self.differences(
            answered.map { ($0.node, "configuration version \($0.status.configVersion)") },
            describe: { value, nodes in "drift: \(nodes) run\(nodes.contains(",") ? "" : "s") \(value)" })
        drifts += Self.differences(
            answered.map { ($0.node, "version \($0.status.storedConfigVersion ?? $0.status.configVersion)") },
            describe: { value, nodes in "drift: the newest configuration stored on \(nodes) is \(value)" })
        var paths = Set<String>()
        for (_, status) in answered { paths.formUnion((status.files ?? [:]).keys) }
        for path in paths.sorted() {
            let digests = answered.map { ($0.node, $0.status.files?[path] ?? "not named by its configuration") }
            drifts += Self.differences(
                digests,
                describe: { value, nodes in
                    value.hasPrefix("sha256:")
                        ? "drift: \(path) differs on \(nodes)" : "drift: \(path) is \(value) on \(nodes)"
                })
        }
    }

    /// For values that are not the same on every node: a line for each value other than the most
    /// common one (ties: the first node's), naming its nodes.
    private static func differences(_ values: [(String, String)], describe: (String, String) -> String) -> [String] {
        guard Set(values.map(\.1)).count > 1 else { return [] }
        var order: [String] = []
        var nodes: [String: [String]] = [:]
        for (node, value) in values {
            if nodes[value] == nil { order.append(value) }
            nodes[value, default: []].append(node)
        }
        var common = order[0]
        for value in order.dropFirst() where nodes[value]!.count > nodes[common]!.count { common = value }
        return order.filter { $0 != common }.map { describe($0, nodes[$0]!.joined(separator: ", ")) }
    }

    /// The drift lines, the nodes that did not answer, and a summary line.
    var lines: [String] {
        var lines = drifts
        if !unreachable.isEmpty {
            lines.append("cluster: \(unreachable.joined(separator: ", ")) did not answer: not compared")
        }
        lines.append(
            "cluster: \(compared.count) node\(compared.count == 1 ? "" : "s") compared, \(drifts.count) "
                + "drift\(drifts.count == 1 ? "" : "s")")
        return lines
    }
}
