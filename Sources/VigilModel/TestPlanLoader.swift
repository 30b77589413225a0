import Foundation
import Yams

/// Reads a test plan from YAML. Every problem is an error naming the file, line and field.
///
/// ```yaml
/// name: Table 12
/// settle: 10s
/// cases:
///   - case: 1
///     name: start cluster services on all nodes
///     do: [{start: all}]
///     expect: {ghost1: [CH1, IP4], ghost2: [CH1], ghost3: [SH2], ghost4: [SH3]}
///     addresses: {ghost3: ghost3/tr0}
///     log: ["EVENT COMPLETED: node_up ghost4"]
///     not_log: ["left out of view"]
///     steady: [CH1]
///     after: [{repair_interface: {node: ghost3, interface: tr0}}]
/// ```
/// Actions: `start`, `stop` (`{nodes, mode}`), `crash` (a node, a list or `all`),
/// `fail_interface` / `repair_interface` (`{node, interface}`), `fail_network` / `repair_network`
/// (`{network, node?}`), `partition` (`{network, sides}`), `cut` (`{network, from, to, one_way?}`:
/// both ways unless `one_way: true`), `heal` (a network or `all`: partitions and cuts),
/// `pause` (`{node, for}`), `degrade` (`{network, loss?, delay?}`: loss a share from 0 to 1),
/// `restore` (a network or `all`), `move` (`{group, node}`), `online` (a group), `offline`
/// (`{group, sticky?}`), `wait` (a duration), `sync` (a configuration file, relative to the plan's
/// directory), `preview` (a file, or `{file, expect: [lines]}`), `snapshot` (a name: `vigil snapshot
/// save`), `snapshot_restore` (a name), `snapshot_diff` (`{name, expect: [lines]}`: `vigil snapshot
/// diff NAME live`).
///
/// The plan's nodes are the configuration's; a node that a synced file adds is one from the action
/// after that sync on (it can be started, crashed, expected). `all` is the configuration's nodes.
public enum TestPlanLoader {
    /// A plan that could not be read, with every problem found.
    public struct LoadError: Error, CustomStringConvertible {
        public var diagnostics: [Diagnostic]
        public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
    }

    public static func load(contentsOf path: String, nodes: [String]) throws -> TestPlan {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw LoadError(diagnostics: [
                Diagnostic(.error, at: SourceLocation(file: path, line: 1, column: 1), "cannot read the plan file")
            ])
        }
        return try load(yaml: text, file: path, nodes: nodes)
    }

    /// `nodes`: the configuration's node names, which `all` stands for.
    public static func load(yaml: String, file: String, nodes: [String]) throws -> TestPlan {
        var reader = PlanReader(file: file, allNodes: nodes)
        let root: Yams.Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw LoadError(diagnostics: [
                Diagnostic(.error, at: reader.location(of: error), "YAML syntax error: \(error)")
            ])
        }
        guard let plan = root.flatMap({ reader.plan($0) }), reader.diagnostics.isEmpty else {
            throw LoadError(
                diagnostics: reader.diagnostics.isEmpty
                    ? [Diagnostic(.error, at: SourceLocation(file: file, line: 1, column: 1), "the plan is empty")]
                    : reader.diagnostics)
        }
        return plan
    }
}

/// The reading of one plan file, collecting problems as it goes.
private struct PlanReader {
    let file: String
    let allNodes: [String]
    /// The configuration's nodes, and those the files synced so far add.
    var knownNodes: [String]
    var diagnostics: [Diagnostic] = []

    init(file: String, allNodes: [String]) {
        self.file = file
        self.allNodes = allNodes
        self.knownNodes = allNodes
    }

    func at(_ node: Yams.Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    func location(of error: YamlError) -> SourceLocation {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _):
            return SourceLocation(file: file, line: mark.line, column: mark.column)
        default:
            return SourceLocation(file: file, line: 1, column: 1)
        }
    }

    mutating func fail(_ node: Yams.Node, _ message: String) {
        diagnostics.append(Diagnostic(.error, at: at(node), message))
    }

    mutating func plan(_ root: Yams.Node) -> TestPlan? {
        guard let map = mapping(root, "the plan", allowed: ["name", "settle", "cases"]) else { return nil }
        let name = map["name"]?.string ?? file
        let settle = map["settle"].flatMap { duration($0, "settle") } ?? .seconds(10)
        guard let list = map["cases"]?.sequence else {
            fail(map["cases"] ?? root, "the plan needs a list 'cases'")
            return nil
        }
        let cases = list.enumerated().compactMap { index, node in testCase(node, index: index) }
        return TestPlan(name: name, settle: settle, cases: cases)
    }

    private mutating func testCase(_ node: Yams.Node, index: Int) -> TestCase? {
        guard
            let map = mapping(
                node, "cases[\(index)]",
                allowed: ["case", "name", "do", "expect", "addresses", "log", "not_log", "steady", "after"])
        else { return nil }
        // Not Yams' `.int`: it reads `1:1:1:1:1:1:1:1:1:1:1` as a base-60 number and traps on the overflow.
        let number = map["case"]?.string.flatMap { Int($0) } ?? index + 1
        let actions = map["do"].map { actionList($0, "cases[\(index)].do") } ?? []
        var expect: [String: [String]] = [:]
        if let expected = map["expect"] {
            if let pairs = expected.mapping {
                for (key, value) in pairs {
                    guard let node = key.string, knownNodes.contains(node) else {
                        fail(
                            key,
                            "cases[\(index)].expect: '\(key.string ?? "?")' is not a node of the cluster (nodes: "
                                + "\(knownNodes.joined(separator: ", ")))"
                        )
                        continue
                    }
                    expect[node] = strings(value, "cases[\(index)].expect.\(node)")
                }
            } else if expected.scalar?.string != "" && expected.null == nil {
                fail(expected, "cases[\(index)].expect must map nodes to their groups, e.g. {ghost1: [CH1, IP4]}")
            }
        }
        var addresses: [String: String] = [:]
        for (key, value) in map["addresses"]?.mapping ?? [:] {
            if let label = key.string, let place = value.string { addresses[label] = place }
        }
        let log = map["log"].map { strings($0, "cases[\(index)].log") } ?? []
        let notLog = map["not_log"].map { strings($0, "cases[\(index)].not_log") } ?? []
        let after = map["after"].map { actionList($0, "cases[\(index)].after") } ?? []
        let steady = map["steady"].map { strings($0, "cases[\(index)].steady") } ?? []
        return TestCase(
            number: number, name: map["name"]?.string ?? "case \(number)", actions: actions, expect: expect,
            addresses: addresses, log: log, notLog: notLog, steady: steady, after: after, location: at(node))
    }

    private mutating func actionList(_ node: Yams.Node, _ path: String) -> [PlanAction] {
        guard let list = node.sequence else {
            fail(node, "\(path) must be a list of actions, e.g. [{crash: ghost1}]")
            return []
        }
        return list.enumerated().compactMap { index, item in action(item, "\(path)[\(index)]") }
    }

    private mutating func action(_ node: Yams.Node, _ path: String) -> PlanAction? {
        guard let pairs = node.mapping, pairs.count == 1, let (key, value) = pairs.first, let verb = key.string else {
            fail(node, "\(path) must be one action with its argument, e.g. {crash: ghost1}")
            return nil
        }
        switch verb {
        case "start": return .start(nodeList(value, path))
        case "crash": return .crash(nodeList(value, path))
        case "stop": return stopAction(value, path)
        case "fail_interface", "repair_interface":
            guard let map = mapping(value, path, allowed: ["node", "interface"]),
                let target = map["node"]?.string, let interface = map["interface"]?.string
            else {
                fail(value, "\(path).\(verb) needs {node, interface}")
                return nil
            }
            return verb == "fail_interface"
                ? .failInterface(node: target, interface: interface)
                : .repairInterface(node: target, interface: interface)
        case "fail_network", "repair_network":
            guard let map = mapping(value, path, allowed: ["network", "node"]), let network = map["network"]?.string
            else {
                fail(value, "\(path).\(verb) needs {network, node?}")
                return nil
            }
            let target = map["node"]?.string
            return verb == "fail_network"
                ? .failNetwork(network: network, node: target) : .repairNetwork(network: network, node: target)
        case "partition":
            guard let map = mapping(value, path, allowed: ["network", "sides"]), let network = map["network"]?.string,
                let sides = map["sides"]?.sequence
            else {
                fail(value, "\(path).partition needs {network, sides: [[a, b], [c, d]]}")
                return nil
            }
            return .partition(network: network, sides: sides.map { strings($0, "\(path).sides") })
        case "cut":
            guard let map = mapping(value, path, allowed: ["network", "from", "to", "one_way"]),
                let network = map["network"]?.string, let from = map["from"]?.string, let to = map["to"]?.string
            else {
                fail(value, "\(path).cut needs {network, from, to, one_way?}, e.g. {network: ether, from: a, to: b}")
                return nil
            }
            guard from != to else {
                fail(value, "\(path).cut: from and to are the same node (\(from))")
                return nil
            }
            return .cut(network: network, from: from, to: to, bothWays: !(map["one_way"]?.bool ?? false))
        case "heal":
            let network = value.string
            return .heal(network: network == "all" ? nil : network)
        case "pause":
            guard let map = mapping(value, path, allowed: ["node", "for"]), let target = map["node"]?.string,
                let length = map["for"].flatMap({ duration($0, "\(path).for") })
            else {
                fail(value, "\(path).pause needs {node, for}")
                return nil
            }
            return .pause(node: target, duration: length)
        case "degrade":
            guard let map = mapping(value, path, allowed: ["network", "loss", "delay"]),
                let network = map["network"]?.string
            else {
                fail(
                    value,
                    "\(path).degrade needs {network, loss?, delay?}, e.g. {network: ether, loss: 0.2, delay: 50ms}")
                return nil
            }
            let loss = map["loss"].map { $0.float ?? -1 } ?? 0
            guard (0...1).contains(loss) else {
                fail(map["loss"]!, "\(path).loss must be a share of the packets from 0 to 1 (0.2 loses one in five)")
                return nil
            }
            let delay = map["delay"].flatMap { duration($0, "\(path).delay") } ?? .zero
            return .degrade(network: network, loss: loss, delay: delay)
        case "restore":
            let network = value.string
            return .restore(network: network == "all" ? nil : network)
        case "move", "online", "offline": return groupAction(verb, value, path)
        case "wait":
            return duration(value, "\(path).wait").map(PlanAction.wait)
        case "sync":
            guard let name = value.string, !name.isEmpty else {
                fail(value, "\(path).sync needs a configuration file, e.g. {sync: scream-dare-2.yaml}")
                return nil
            }
            let path = resolved(name)
            // The nodes it adds are the plan's from here on; a file that cannot be read now is
            // reported when the sync runs.
            if let synced = try? ConfigLoader.load(contentsOf: path) {
                knownNodes += synced.config.nodes.map(\.name).filter { !knownNodes.contains($0) }
            }
            return .sync(file: path)
        case "preview":
            if let name = value.string, !name.isEmpty { return .preview(file: resolved(name), expect: []) }
            guard let map = mapping(value, path, allowed: ["file", "expect"]), let name = map["file"]?.string else {
                fail(value, "\(path).preview needs a file, or {file, expect: [lines it prints]}")
                return nil
            }
            return .preview(file: resolved(name), expect: map["expect"].map { strings($0, "\(path).expect") } ?? [])
        case "snapshot", "snapshot_restore":
            guard let name = value.string, !name.isEmpty else {
                fail(value, "\(path).\(verb) needs a snapshot name, e.g. {\(verb): before}")
                return nil
            }
            return verb == "snapshot" ? .snapshotSave(name: name) : .snapshotRestore(name: name)
        case "snapshot_diff":
            guard let map = mapping(value, path, allowed: ["name", "expect"]), let name = map["name"]?.string else {
                fail(value, "\(path).snapshot_diff needs {name, expect: [lines it prints]}")
                return nil
            }
            return .snapshotDiff(name: name, expect: map["expect"].map { strings($0, "\(path).expect") } ?? [])
        default:
            fail(
                key,
                "\(path): unknown action '\(verb)'; actions: start, stop, crash, fail_interface, repair_interface, "
                    + "fail_network, repair_network, partition, cut, heal, pause, degrade, restore, move, online, "
                    + "offline, wait, sync, preview, snapshot, snapshot_restore, snapshot_diff"
            )
            return nil
        }
    }

    /// A file the plan names, relative to the plan file's directory (absolute paths stay).
    private func resolved(_ name: String) -> String {
        guard !name.hasPrefix("/"), let slash = file.lastIndex(of: "/") else { return name }
        return String(file[...slash]) + name
    }

    private mutating func stopAction(_ value: Yams.Node, _ path: String) -> PlanAction? {
        guard value.mapping != nil else { return .stop(nodeList(value, path), mode: "graceful") }
        guard let map = mapping(value, path, allowed: ["nodes", "mode"]) else { return nil }
        let mode = map["mode"]?.string ?? "graceful"
        guard ["graceful", "takeover", "forced"].contains(mode) else {
            fail(map["mode"]!, "\(path).mode must be graceful, takeover or forced, not '\(mode)'")
            return nil
        }
        return .stop(map["nodes"].map { nodeList($0, path) } ?? allNodes, mode: mode)
    }

    private mutating func groupAction(_ verb: String, _ value: Yams.Node, _ path: String) -> PlanAction? {
        switch verb {
        case "move":
            guard let map = mapping(value, path, allowed: ["group", "node"]), let group = map["group"]?.string,
                let target = map["node"]?.string
            else {
                fail(value, "\(path).move needs {group, node}")
                return nil
            }
            return .move(group: group, node: target)
        case "online":
            guard let group = value.string else {
                fail(value, "\(path).online needs a group name")
                return nil
            }
            return .online(group: group)
        default:
            if let group = value.string { return .offline(group: group, sticky: false) }
            guard let map = mapping(value, path, allowed: ["group", "sticky"]), let group = map["group"]?.string else {
                fail(value, "\(path).offline needs a group or {group, sticky}")
                return nil
            }
            return .offline(group: group, sticky: map["sticky"]?.bool ?? false)
        }
    }

    private mutating func mapping(_ node: Yams.Node, _ path: String, allowed: [String]) -> [String: Yams.Node]? {
        guard let pairs = node.mapping else {
            fail(node, "\(path) must be a mapping with keys \(allowed.joined(separator: ", "))")
            return nil
        }
        var result: [String: Yams.Node] = [:]
        for (key, value) in pairs {
            guard let name = key.string, allowed.contains(name) else {
                fail(
                    key, "\(path): unknown key '\(key.string ?? "?")'; allowed keys: \(allowed.joined(separator: ", "))"
                )
                continue
            }
            result[name] = value
        }
        return result
    }

    private mutating func strings(_ node: Yams.Node, _ path: String) -> [String] {
        if let single = node.scalar?.string { return single.isEmpty || single == "---" ? [] : [single] }
        guard let list = node.sequence else {
            fail(node, "\(path) must be a list")
            return []
        }
        return list.compactMap(\.string)
    }

    private mutating func nodeList(_ node: Yams.Node, _ path: String) -> [String] {
        if node.string == "all" { return allNodes }
        let names = strings(node, path)
        for name in names where !knownNodes.contains(name) {
            fail(node, "\(path): '\(name)' is not a node of the cluster (nodes: \(knownNodes.joined(separator: ", ")))")
        }
        return names
    }

    private mutating func duration(_ node: Yams.Node, _ path: String) -> Duration? {
        guard let text = node.string, let value = DurationText.parse(text), value <= ConfigLimits.longestDuration else {
            let longest = ConfigLimits.longestDurationText
            fail(node, "\(path) must be a duration with a unit, at most \(longest), e.g. 500ms or 10s")
            return nil
        }
        return value
    }
}
