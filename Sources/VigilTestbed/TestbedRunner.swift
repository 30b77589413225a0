import Foundation
import Synchronization
import VigilModel
import VigilRuntime

/// The outcome of one case on the test bed (printed as the simulator prints its cases).
public struct TestbedCaseResult: Sendable, CustomStringConvertible {
    public var number: Int
    public var name: String
    /// Empty when the case passed.
    public var problems: [String]
    /// How long after the case's actions the hosts showed the expected state (measured, not judged).
    public var reached: Duration?
    /// What the client saw during the case, per service that answers at its end: who answered before
    /// and after, and the longest time without an answer (measured, not judged).
    public var client: [String] = []

    public var passed: Bool { problems.isEmpty }

    /// `PASS case N: name` or `FAIL case N: problem; problem`.
    public var description: String {
        passed ? "PASS case \(number): \(name)" : "FAIL case \(number): " + problems.joined(separator: "; ")
    }
}

/// Runs a test plan on the test bed: each case's actions as real faults, then a bounded wait for
/// the expected state, judged on the hosts (addresses in the namespaces, processes, TCP answers from
/// the client) as well as on what the daemons report. A checker looks after every action and every
/// `checkInterval` for a service address held by two namespaces: any sighting fails the case.
public final class TestbedRunner: Sendable {
    public let cluster: TestbedCluster
    public let truth: HostTruth
    public let plan: TestPlan
    /// The longest wait for a case's expected state: a cap, not a judgement of speed (6 x the plan's
    /// settle, at least 60s; a standby swap took up to 19s on 2 busy cores).
    public let bound: Duration
    public let checkInterval: Duration = .milliseconds(500)
    private let violations = Mutex<[String]>([])
    /// Adapters failed by the plan and not yet repaired: `node/adapter`.
    private let failed = Mutex<Set<String>>([])
    /// The IP networks the plan partitioned and has not healed, with their sides (the client is on
    /// side 0, with the nodes no side names).
    private let partitions = Mutex<[String: [[String]]]>([:])
    /// The configuration the plan's last `sync` gave the cluster, and its file (the one it started
    /// with before): the groups the checks expect, and the file a node started for the first time
    /// gets, as an administrator installs the cluster's file on a node the sync added.
    private let synced: Mutex<(config: ClusterConfig, file: String)>

    /// `starting`: the configuration the cluster starts from (the test bed's file); the test bed's
    /// hosts may be more (`PlanHosts`: those of the files the plan syncs).
    public init(cluster: TestbedCluster, truth: HostTruth, plan: TestPlan, starting: ClusterConfig) {
        self.cluster = cluster
        self.truth = truth
        self.plan = plan
        bound = max(plan.settle * 6, .seconds(60))
        synced = Mutex((starting, cluster.testbed.configPath))
    }

    /// The test bed's hosts, networks and applications: the configuration it was built from.
    var config: ClusterConfig { cluster.config }
    /// The groups the cluster runs now.
    var groups: [ResourceGroup] { synced.withLock { $0.config.resourceGroups } }
    var layout: TestbedLayout { cluster.layout }

    /// Runs every case in order, calling `report` after each; the duplicate checker runs throughout.
    public func run(report: @Sendable (TestbedCaseResult) -> Void) async -> [TestbedCaseResult] {
        let checker = Task { [self] in
            while !Task.isCancelled {
                checkDuplicates(when: "while waiting")
                do { try await Task.sleep(for: checkInterval) } catch { return }
            }
        }
        defer { checker.cancel() }
        var results: [TestbedCaseResult] = []
        for testCase in plan.cases {
            let result = await run(testCase)
            report(result)
            results.append(result)
        }
        return results
    }

    private func checkDuplicates(when: String) {
        let found = truth.duplicates()
        guard !found.isEmpty else { return }
        violations.withLock { $0 += found.map { "never two owners broken (\(when)): \($0)" } }
    }

    private func run(_ testCase: TestCase) async -> TestbedCaseResult {
        let logStart = logOffsets()
        let caseStart = Self.wallClock()
        let violationsBefore = violations.withLock { $0.count }
        var problems: [String] = []
        let clock = ContinuousClock()
        for action in testCase.actions {
            if let problem = await apply(action) { problems.append(problem) }
            checkDuplicates(when: "after \(action)")
        }
        let started = clock.now
        var reached: Duration?
        var last: [String] = []
        var stableOnce = false
        while true {
            last = await evaluate(testCase, logStart: logStart)
            if last.isEmpty {
                if stableOnce { break }
                stableOnce = true
                reached = reached ?? started.duration(to: clock.now)
            } else {
                stableOnce = false
                reached = nil
            }
            if started.duration(to: clock.now) > bound { break }
            try? await Task.sleep(for: .milliseconds(300))
        }
        if !last.isEmpty { reached = nil }
        problems += last
        for action in testCase.after {
            if let problem = await apply(action) { problems.append(problem) }
            checkDuplicates(when: "after \(action)")
        }
        if !testCase.after.isEmpty, let problem = await waitQuiet() { problems.append(problem) }
        problems += violations.withLock { Array($0.dropFirst(violationsBefore)) }
        let watch = ClientWatchLog(path: cluster.testbed.clientLog)
        let caseEnd = Self.wallClock()
        for name in testCase.steady {
            guard let group = groups.first(where: { $0.name == name }) else {
                problems.append("steady: no group \(name)")
                continue
            }
            for application in group.applications.compactMap(config.application(named:)) {
                guard let listen = truth.probe(of: application).listen, listen.address != "0.0.0.0" else { continue }
                let endpoint = "\(listen.address):\(listen.port)"
                if let interruption = watch.interruption(of: endpoint, from: caseStart, to: caseEnd) {
                    problems.append("\(name) was to run on untouched, but the client saw \(endpoint) \(interruption)")
                }
            }
        }
        let seen = watch.gaps(from: caseStart, to: caseEnd)
        return TestbedCaseResult(
            number: testCase.number, name: testCase.name, problems: problems, reached: reached, client: seen)
    }

    /// Milliseconds since the epoch: the client's watch stamps its lines so.
    static func wallClock() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// The services the client watches: every application's listening address that is not 0.0.0.0.
    public var watchedEndpoints: [String] {
        config.applications.compactMap { truth.probe(of: $0).listen }.filter { $0.address != "0.0.0.0" }.map {
            "\($0.address):\($0.port)"
        }
    }

    // MARK: actions

    /// Carries out a plan action on the test bed; returns a problem when it could not.
    func apply(_ action: PlanAction) async -> String? {
        do {
            switch action {
            case .start(let nodes):
                let file = synced.withLock { $0.file }
                for node in try names(nodes) { try await cluster.start(node, configFile: file) }
            case .stop(let nodes, let mode):
                for node in try names(nodes) { try await cluster.stop(node, mode: mode) }
            case .crash(let nodes):
                for node in try names(nodes) {
                    cluster.testbed.crash(node)
                    failed.withLock { set in set = set.filter { !$0.hasPrefix(node + "/") } }
                }
            case .failInterface(let node, let interface), .repairInterface(let node, let interface):
                let up: Bool
                if case .repairInterface = action { up = true } else { up = false }
                try cluster.testbed.setAdapter(interface, of: node, up: up)
                failed.withLock { set in
                    if up { set.remove("\(node)/\(interface)") } else { set.insert("\(node)/\(interface)") }
                }
            case .failNetwork(let network, let node), .repairNetwork(let network, let node):
                let up: Bool
                if case .repairNetwork = action { up = true } else { up = false }
                try cluster.testbed.setNetwork(network, node: node, up: up)
            case .partition(let network, let sides):
                try cluster.testbed.partition(network, sides: sides)
                partitions.withLock { $0[network] = sides }
            case .cut(let network, let from, let to, let bothWays):
                try cluster.testbed.cut(network, from: from, to: to, bothWays: bothWays)
            case .heal(let network):
                try cluster.testbed.heal(network)
                partitions.withLock { if let network { $0[network] = nil } else { $0 = [:] } }
            case .pause(let node, let duration):
                try await cluster.pause(node, for: duration)
            case .degrade(let network, let loss, let delay):
                try cluster.testbed.impair(network, node: nil, lossPercent: Int((loss * 100).rounded()), delay: delay)
            case .restore(let network):
                for name in config.networks.filter(\.isIP).map(\.name) where network == nil || network == name {
                    try cluster.testbed.impair(name, node: nil, lossPercent: nil, delay: nil)
                }
            case .move(let group, let node):
                return await cluster.request(.rgMove(group: group, node: node))
            case .online(let group):
                return await cluster.request(.rgOnline(group: group))
            case .offline(let group, let sticky):
                return await cluster.request(.rgOffline(group: group, sticky: sticky))
            case .wait(let duration):
                try await Task.sleep(for: duration)
            case .sync(let file):
                let text = try String(contentsOfFile: file, encoding: .utf8)
                if let problem = await cluster.request(.sync(text: text, file: file, expectVersion: nil)) {
                    return problem
                }
                let loaded = try ConfigLoader.load(contentsOf: file)
                synced.withLock { $0 = (loaded.config, file) }
            case .preview(let file, let expect):
                return try await preview(file, expect: expect)
            case .snapshotSave(let name):
                return await vigil(["snapshot", "save", name]).problem
            case .snapshotRestore(let name):
                let restore = await vigil(["snapshot", "restore", name])
                if let problem = restore.problem { return problem }
                let text = await vigil(["snapshot", "show", name, "--raw"])
                if let problem = text.problem { return problem }
                let saved = try SnapshotFile(parsing: text.output, file: "snapshot \(name)")
                let (loaded, _) = ConfigLoader.load(yaml: saved.configuration, file: "snapshot \(name)")
                guard let restored = loaded?.config else { return "snapshot \(name): its configuration cannot be read" }
                synced.withLock { $0.config = restored }
            case .snapshotDiff(let name, let expect):
                let diff = await vigil(["snapshot", "diff", name, "live"])
                let said = diff.output.split(separator: "\n").map(String.init)
                return PlanAction.missingLines(of: "snapshot diff \(name) live", expect: expect, said: said)
            }
        } catch {
            return "\(action): \(error)"
        }
        return nil
    }

    /// `vigil sync --preview FILE` on a running node: every expected line must be in what it says.
    private func preview(_ file: String, expect: [String]) async throws -> String? {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        for node in config.nodes.map(\.name) where cluster.daemonPid(node) != nil {
            guard
                case .ok(.preview(let answer)) = try await cluster.admin(node).send(
                    .syncPreview(text: text, file: file))
            else { continue }
            let said =
                answer.findings + (answer.refusal.map { ["refused: \($0)"] } ?? []) + (answer.preview?.lines ?? [])
            return PlanAction.missingLines(of: "preview \(file)", expect: expect, said: said)
        }
        return "preview \(file): no running node answered"
    }

    /// Runs the real `vigil` command line with `arguments` against the first node whose cluster
    /// services are up (`--socket`), off the task pool: a restore waits for its sync to run.
    private func vigil(_ arguments: [String]) async -> (output: String, problem: String?) {
        var node: String?
        for name in config.nodes.map(\.name) where cluster.daemonPid(name) != nil {
            if await cluster.status(name)?.state == .up {
                node = name
                break
            }
        }
        guard let node else { return ("", "vigil \(arguments.joined(separator: " ")): no node runs cluster services") }
        var patient = cluster.testbed.shell
        patient.timeout = .seconds(180)
        let shell = patient
        let command = [cluster.testbed.vigil] + arguments + ["--socket", layout.socket(node)]
        let outcome = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: shell.run(command, allowFailure: true)) }
        }
        let problem =
            outcome.succeeded
            ? nil
            : "vigil \(arguments.joined(separator: " ")) on \(node) exited \(outcome.status): "
                + outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
        return (outcome.output, problem)
    }

    private func names(_ nodes: [String]) throws -> [String] {
        let all = config.nodes.map(\.name)
        if nodes == ["all"] { return all }
        for node in nodes where !all.contains(node) { throw TestbedError("no node \(node)") }
        return nodes
    }

    // MARK: checks

    /// Every way the cluster differs from the case's expectation; empty when it matches.
    func evaluate(_ testCase: TestCase, logStart: [String: UInt64]) async -> [String] {
        var problems: [String] = []
        var reported: [String: [String]] = [:]
        for node in config.nodes.map(\.name) where cluster.daemonPid(node) != nil {
            guard let snapshot = await cluster.status(node) else { continue }
            reported[node] = snapshot.groups.filter { $0.state(on: node) == .online }.map(\.name)
        }
        let expected = Dictionary(
            uniqueKeysWithValues: config.nodes.map { ($0.name, Set(testCase.expect[$0.name] ?? [])) })
        if config.nodes.contains(where: { Set(reported[$0.name] ?? []) != expected[$0.name] }) {
            problems.append(
                "expected \(describe(expected.mapValues { Array($0) })), daemons report \(describe(reported))")
        }
        let held = truth.addresses()
        problems += checkHosts(expected: expected, held: held)
        for (label, place) in testCase.addresses.sorted(by: { $0.key < $1.key }) {
            guard let address = truth.serviceAddresses.first(where: { $0.label == label })?.address else {
                problems.append("no service address \(label)")
                continue
            }
            let actual = (held[address] ?? []).map(\.description)
            if actual != [place] {
                problems.append(
                    "expected address \(label) on \(place), hosts have it on "
                        + "\(actual.isEmpty ? "none" : actual.joined(separator: " and "))"
                )
            }
        }
        let logged = newLogLines(since: logStart)
        for line in testCase.log where !logged.contains(where: { $0.contains(line) }) {
            problems.append("expected '\(line)' in the cluster log")
        }
        for line in testCase.notLog {
            guard let found = logged.first(where: { $0.contains(line) }) else { continue }
            problems.append("'\(line)' must not be in the cluster log: \(found)")
        }
        return problems
    }

    /// The hosts' truth for every group: its addresses in the holder's namespace only, its
    /// applications' processes in the holders' namespaces only, and the holder answering the client.
    private func checkHosts(expected: [String: Set<String>], held: [IPv4Address: [HostTruth.Place]]) -> [String] {
        var problems: [String] = []
        for group in groups {
            let holders = Set(config.nodes.map(\.name).filter { expected[$0]?.contains(group.name) ?? false })
            for label in group.serviceAddresses {
                guard let address = config.serviceAddress(labelled: label)?.address else { continue }
                let on = Set((held[address] ?? []).map(\.node))
                if on != holders {
                    problems.append("\(group.name): \(label) is on \(list(on)) (expected \(list(holders)))")
                }
            }
            for name in group.applications {
                guard let application = config.application(named: name) else { continue }
                let running = truth.nodesRunning(application)
                if running != holders {
                    problems.append("\(group.name): \(name) runs on \(list(running)) (expected \(list(holders)))")
                }
                problems += checkAnswers(group: group, application: application, holders: holders)
            }
        }
        return problems
    }

    private func checkAnswers(group: ResourceGroup, application: Application, holders: Set<String>) -> [String] {
        guard let listen = truth.probe(of: application).listen else { return [] }
        if listen.address == "0.0.0.0" {
            // It listens on every address of its node: it must answer on one of the node's public
            // boot addresses (the one on a failed adapter cannot answer; another one must).
            return holders.sorted().compactMap { node in
                var answers: [String] = []
                for address in truth.clientReachableAddresses(of: node) {
                    let asker = whereToAsk(for: node, address: address)
                    let answer = truth.ask(address, port: listen.port, from: asker.namespace)
                    if answer == node { return nil }
                    answers.append("\(address):\(listen.port) answered \(answer ?? "nothing") \(asker.who)")
                }
                guard !answers.isEmpty else { return nil }
                return "\(group.name): \(answers.joined(separator: ", ")), expected \(node)"
            }
        }
        guard holders.count <= 1 else { return [] }
        let asker = holders.first.map { whereToAsk(for: $0, address: listen.address) } ?? clientAsker
        let answer = truth.ask(listen.address, port: listen.port, from: asker.namespace)
        if answer != holders.first {
            return [
                "\(group.name): \(answer ?? "no answer") from \(listen.address):\(listen.port) \(asker.who) "
                    + "(expected \(holders.first ?? "no answer"))"
            ]
        }
        return []
    }

    /// Where a service of `holder` at `address` is asked from, and how a problem says so.
    private typealias Asker = (namespace: String, who: String)
    private var clientAsker: Asker { (TestbedLayout.clientNamespace, "for the client") }

    /// The client, unless a partition of the address's network put `holder` on another side than the
    /// client's (side 0): then a node on the holder's side (the holder itself when it is alone
    /// there), as a client on that side of the split would ask.
    private func whereToAsk(for holder: String, address: String) -> Asker {
        let network =
            config.serviceAddresses.first { $0.address.description == address }?.network
            ?? config.node(named: holder)?.interfaces.first { $0.address?.description == address }?.network
        guard let network, let sides = partitions.withLock({ $0[network] }),
            let side = sides.firstIndex(where: { $0.contains(holder) }), side > 0
        else { return clientAsker }
        let neighbour = config.nodes.map(\.name).first { $0 != holder && sides[side].contains($0) } ?? holder
        return (layout.namespace(of: neighbour), "asked from \(neighbour), on \(holder)'s side of the \(network) split")
    }

    private func list(_ nodes: Set<String>) -> String {
        nodes.isEmpty ? "no node" : nodes.sorted().joined(separator: ", ")
    }

    /// After a case's tidy-up actions: every running daemon idle (no event) and seeing its own IP
    /// adapters as the test bed has them.
    private func waitQuiet() async -> String? {
        let clock = ContinuousClock()
        let start = clock.now
        var quietOnce = false
        while start.duration(to: clock.now) < bound {
            var quiet = true
            for node in config.nodes.map(\.name) where cluster.daemonPid(node) != nil {
                guard let snapshot = await cluster.status(node) else {
                    quiet = false
                    continue
                }
                if snapshot.event != nil { quiet = false }
                let down = failed.withLock { $0 }
                for interface in snapshot.interfaces
                where interface.node == node && config.network(named: interface.network)?.isIP == true {
                    let wanted: StatusSnapshot.LinkState = down.contains("\(node)/\(interface.name)") ? .down : .up
                    if interface.state != wanted { quiet = false }
                }
            }
            if quiet {
                if quietOnce { return nil }
                quietOnce = true
            } else {
                quietOnce = false
            }
            try? await Task.sleep(for: .milliseconds(300))
        }
        return "the cluster did not settle within \(DurationText.format(bound)) after the case's tidy-up actions"
    }

    // MARK: logs

    private func clusterLog(_ node: String) -> String { "\(layout.stateDirectory(node))/cluster.log" }

    func logOffsets() -> [String: UInt64] {
        Dictionary(
            uniqueKeysWithValues: config.nodes.map { node in
                let size =
                    (try? FileManager.default.attributesOfItem(atPath: clusterLog(node.name))[.size] as? UInt64) ?? 0
                return (node.name, size)
            })
    }

    private func newLogLines(since start: [String: UInt64]) -> [String] {
        config.nodes.flatMap { node -> [String] in
            guard let handle = FileHandle(forReadingAtPath: clusterLog(node.name)) else { return [] }
            defer { try? handle.close() }
            handle.seek(toFileOffset: start[node.name] ?? 0)
            return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").map(String.init)
        }
    }

    /// Placement as the seed writes it: `ghost1: CH1, IP4 | ghost2: CH1 | ghost3: ---`.
    func describe(_ placement: [String: [String]]) -> String {
        config.nodes.map { node in
            let groups = self.groups.map(\.name).filter { (placement[node.name] ?? []).contains($0) }
            return "\(node.name): \(groups.isEmpty ? "---" : groups.joined(separator: ", "))"
        }.joined(separator: " | ")
    }
}
