/// Writes a `TestPlan` in the YAML form `TestPlanLoader` reads and the hand-written plans use
/// (examples/scream-table12.yaml): one block per case, its actions and expectations as flow
/// collections. What it writes, the loader reads back to an equal plan (but for `location`, which
/// says where a loaded case was written).
///
/// ```yaml
///   - case: 3
///     name: crash ghost1
///     do: [{crash: ghost1}]
///     expect: {ghost2: [CH1, IP4], ghost3: [SH2], ghost4: [SH3]}
///     log: ["EVENT START: node_down ghost1"]
/// ```
public enum TestPlanWriter {
    /// The plan as YAML text, ending in a newline. `header` lines come first as `# ` comments;
    /// `allNodes`, the configuration's nodes, are written `all` where an action names every one of
    /// them in that order.
    public static func yaml(_ plan: TestPlan, header: [String] = [], allNodes: [String] = []) -> String {
        var lines = header.map { $0.isEmpty ? "#" : "# \($0)" }
        lines.append("name: \(ConfigWriter.quoted(plan.name))")
        lines.append("settle: \(DurationText.format(plan.settle))")
        lines.append(plan.cases.isEmpty ? "cases: []" : "cases:")
        for testCase in plan.cases {
            lines.append("")
            lines += caseLines(testCase, allNodes: allNodes)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func caseLines(_ testCase: TestCase, allNodes: [String]) -> [String] {
        var lines = ["  - case: \(testCase.number)", "    name: \(ConfigWriter.quoted(testCase.name))"]
        if !testCase.actions.isEmpty { lines.append("    do: \(actionList(testCase.actions, allNodes))") }
        let expected = testCase.expect.keys.sorted { rank($0, allNodes) < rank($1, allNodes) }.map {
            (key: ConfigWriter.scalar($0), value: ConfigWriter.list(testCase.expect[$0] ?? []))
        }
        lines.append("    expect: \(ConfigWriter.flow(expected))")
        if !testCase.addresses.isEmpty {
            let fields = testCase.addresses.sorted { $0.key < $1.key }.map {
                (key: ConfigWriter.scalar($0.key), value: ConfigWriter.scalar($0.value))
            }
            lines.append("    addresses: \(ConfigWriter.flow(fields))")
        }
        if !testCase.log.isEmpty { lines.append("    log: \(quotedList(testCase.log))") }
        if !testCase.notLog.isEmpty { lines.append("    not_log: \(quotedList(testCase.notLog))") }
        if !testCase.steady.isEmpty { lines.append("    steady: \(ConfigWriter.list(testCase.steady))") }
        if !testCase.after.isEmpty { lines.append("    after: \(actionList(testCase.after, allNodes))") }
        return lines
    }

    /// A node's place in the configuration, for writing nodes in configured order; unknown ones last.
    private static func rank(_ node: String, _ allNodes: [String]) -> (Int, String) {
        (allNodes.firstIndex(of: node) ?? allNodes.count, node)
    }

    private static func quotedList(_ lines: [String]) -> String {
        "[" + lines.map(ConfigWriter.quoted).joined(separator: ", ") + "]"
    }

    private static func actionList(_ actions: [PlanAction], _ allNodes: [String]) -> String {
        "[" + actions.map { action($0, allNodes) }.joined(separator: ", ") + "]"
    }

    /// One action as the loader reads it: `{verb: argument}`.
    static func action(_ action: PlanAction, _ allNodes: [String]) -> String {
        let (verb, argument) = verbAndArgument(action, allNodes)
        return "{\(verb): \(argument)}"
    }

    private static func verbAndArgument(_ action: PlanAction, _ allNodes: [String]) -> (String, String) {
        let scalar = ConfigWriter.scalar
        let flow = { (pairs: [(String, String)]) in
            ConfigWriter.flow(pairs.map { (key: $0.0, value: $0.1) })
        }
        switch action {
        case .start(let nodes): return ("start", nodeList(nodes, allNodes))
        case .crash(let nodes): return ("crash", nodeList(nodes, allNodes))
        case .stop(let nodes, let mode): return ("stop", flow([("nodes", nodeList(nodes, allNodes)), ("mode", mode)]))
        case .failInterface(let node, let interface):
            return ("fail_interface", flow([("node", scalar(node)), ("interface", scalar(interface))]))
        case .repairInterface(let node, let interface):
            return ("repair_interface", flow([("node", scalar(node)), ("interface", scalar(interface))]))
        case .failNetwork(let network, let node):
            return ("fail_network", flow([("network", scalar(network))] + (node.map { [("node", scalar($0))] } ?? [])))
        case .repairNetwork(let network, let node):
            return (
                "repair_network", flow([("network", scalar(network))] + (node.map { [("node", scalar($0))] } ?? []))
            )
        case .partition(let network, let sides):
            let written = "[" + sides.map(ConfigWriter.list).joined(separator: ", ") + "]"
            return ("partition", flow([("network", scalar(network)), ("sides", written)]))
        case .cut(let network, let from, let to, let bothWays):
            let oneWay = bothWays ? [] : [("one_way", "true")]
            return ("cut", flow([("network", scalar(network)), ("from", scalar(from)), ("to", scalar(to))] + oneWay))
        case .heal(let network): return ("heal", scalar(network ?? "all"))
        case .pause(let node, let duration):
            return ("pause", flow([("node", scalar(node)), ("for", DurationText.format(duration))]))
        case .degrade(let network, let loss, let delay):
            return (
                "degrade",
                flow([("network", scalar(network)), ("loss", "\(loss)"), ("delay", DurationText.format(delay))])
            )
        case .restore(let network): return ("restore", scalar(network ?? "all"))
        case .move(let group, let node): return ("move", flow([("group", scalar(group)), ("node", scalar(node))]))
        case .online(let group): return ("online", scalar(group))
        case .offline(let group, let sticky):
            return ("offline", sticky ? flow([("group", scalar(group)), ("sticky", "true")]) : scalar(group))
        case .wait(let duration): return ("wait", DurationText.format(duration))
        case .sync(let file): return ("sync", scalar(file))
        case .preview(let file, let expect):
            return ("preview", flow([("file", scalar(file)), ("expect", quotedList(expect))]))
        case .snapshotSave(let name): return ("snapshot", scalar(name))
        case .snapshotRestore(let name): return ("snapshot_restore", scalar(name))
        case .snapshotDiff(let name, let expect):
            return ("snapshot_diff", flow([("name", scalar(name)), ("expect", quotedList(expect))]))
        }
    }

    /// `all` for every node of the configuration in its order, one name plain, several as a list.
    private static func nodeList(_ nodes: [String], _ allNodes: [String]) -> String {
        if !allNodes.isEmpty && nodes == allNodes { return "all" }
        return nodes.count == 1 ? ConfigWriter.scalar(nodes[0]) : ConfigWriter.list(nodes)
    }
}
