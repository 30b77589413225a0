import VigilCore
import VigilModel

/// The outcome of one test case.
public struct CaseResult: Sendable, Equatable, CustomStringConvertible {
    public var number: Int
    public var name: String
    /// Empty when the case passed.
    public var problems: [String]

    public var passed: Bool { problems.isEmpty }

    /// `PASS case N: name` or `FAIL case N: problem; problem`.
    public var description: String {
        passed ? "PASS case \(number): \(name)" : "FAIL case \(number): " + problems.joined(separator: "; ")
    }
}

/// Runs a test plan against a simulated cluster: applies each case's actions, lets the cluster
/// settle, then compares the placement (and addresses and cluster log) with the case's expectation.
/// Safety violations seen at any moment fail the case they happened in.
public struct PlanRunner {
    /// The hosts the plan runs on (`PlanHosts`): the configuration's, and those its syncs add.
    public let config: ClusterConfig
    public let plan: TestPlan
    public let simulator: Simulator

    /// The simulator's hosts are those of `config` and of the files the plan syncs (`PlanHosts`).
    public init(config: ClusterConfig, plan: TestPlan, seed: UInt64 = 1) {
        self.config = PlanHosts.configuration(config, syncing: plan.syncedFiles)
        self.plan = plan
        self.simulator = Simulator(config: config, seed: seed, world: self.config)
    }

    /// Runs every case in order, calling `report` after each.
    public func run(report: (CaseResult) -> Void = { _ in }) -> [CaseResult] {
        plan.cases.map { testCase in
            let result = run(testCase)
            report(result)
            return result
        }
    }

    private func run(_ testCase: TestCase) -> CaseResult {
        let violationsBefore = simulator.violations.count
        let logStart = simulator.clusterLog.count
        let eventLogStart = config.nodes.map { simulator.hosts[$0.name]?.log.count ?? 0 }
        var problems: [String] = []
        for action in testCase.actions {
            if let problem = PlanActions.apply(action, to: simulator) { problems.append(problem) }
        }
        simulator.run(for: plan.settle)
        problems += checkPlacement(testCase)
        problems += checkAddresses(testCase)
        let logged = simulator.clusterLog.dropFirst(logStart).map(\.text)
        for line in testCase.log where !logged.contains(where: { $0.contains(line) }) {
            problems.append("expected '\(line)' in the cluster log")
        }
        for line in testCase.notLog {
            guard let found = logged.first(where: { $0.contains(line) }) else { continue }
            problems.append("'\(line)' must not be in the cluster log: \(found)")
        }
        for (index, node) in config.nodes.enumerated() {
            let lines = (simulator.hosts[node.name]?.log ?? []).dropFirst(eventLogStart[index]).map(\.text)
            for group in testCase.steady {
                guard
                    let touched = lines.first(where: {
                        $0.hasPrefix("release \(group):") || $0.hasPrefix("acquire \(group):")
                            || $0.hasPrefix("relocate \(group):")
                    })
                else { continue }
                problems.append("\(group) was to run on untouched, but \(node.name) ran: \(touched)")
            }
        }
        problems += simulator.violations.dropFirst(violationsBefore).map { "invariant broken: \($0)" }
        for action in testCase.after {
            if let problem = PlanActions.apply(action, to: simulator) { problems.append(problem) }
        }
        if !testCase.after.isEmpty { simulator.run(for: plan.settle) }
        return CaseResult(number: testCase.number, name: testCase.name, problems: problems)
    }

    private func checkPlacement(_ testCase: TestCase) -> [String] {
        let got = simulator.onlineGroups()
        var problems: [String] = []
        let expected = Dictionary(
            uniqueKeysWithValues: config.nodes.map { ($0.name, Set(testCase.expect[$0.name] ?? [])) })
        if config.nodes.contains(where: { Set(got[$0.name] ?? []) != expected[$0.name] }) {
            problems.append("expected \(describe(expected.mapValues { Array($0) })), got \(describe(got))")
        }
        for node in config.nodes {
            guard let host = simulator.hosts[node.name] else { continue }
            for group in simulator.activeConfig.resourceGroups
            where (got[node.name] ?? []).contains(group.name) != host.resources.holdsAll(of: group) {
                problems.append("\(node.name)'s daemon and host disagree on \(group.name)")
            }
        }
        return problems
    }

    private func checkAddresses(_ testCase: TestCase) -> [String] {
        testCase.addresses.sorted { $0.key < $1.key }.compactMap { label, place in
            let actual = config.nodes.compactMap { node in
                simulator.hosts[node.name]?.resources.addresses[label].map { "\(node.name)/\($0)" }
            }
            return actual == [place]
                ? nil
                : "expected address \(label) on \(place), got "
                    + "\(actual.isEmpty ? "nowhere" : actual.joined(separator: " and "))"
        }
    }

    /// Placement as the seed writes it: `ghost1: CH1, IP4 | ghost2: CH1 | ghost3: ---`.
    func describe(_ placement: [String: [String]]) -> String {
        config.nodes.map { node in
            let groups = simulator.activeConfig.resourceGroups.map(\.name).filter {
                (placement[node.name] ?? []).contains($0)
            }
            return "\(node.name): \(groups.isEmpty ? "---" : groups.joined(separator: ", "))"
        }.joined(separator: " | ")
    }
}

/// Carries out plan actions on a simulator.
public enum PlanActions {
    /// Applies an action; returns a problem when the action could not be carried out.
    public static func apply(_ action: PlanAction, to simulator: Simulator) -> String? {
        let config = simulator.world
        switch action {
        case .start(let nodes):
            nodes.forEach(simulator.start)
        case .stop(let nodes, let mode):
            let how = ClusterEvent.Departure(rawValue: mode) ?? .graceful
            for node in nodes { simulator.stop(node, how: how) }
        case .crash(let nodes):
            nodes.forEach(simulator.crash)
        case .failInterface(let node, let interface), .repairInterface(let node, let interface):
            guard config.node(named: node)?.interfaces.contains(where: { $0.name == interface }) ?? false else {
                return "\(node) has no interface \(interface)"
            }
            let up: Bool
            if case .repairInterface = action { up = true } else { up = false }
            simulator.setAdapter(interface, of: node, up: up)
        case .failNetwork(let network, let node), .repairNetwork(let network, let node):
            let up: Bool
            if case .repairNetwork = action { up = true } else { up = false }
            for target in config.nodes where node == nil || target.name == node {
                for adapter in target.adapters(on: network) { simulator.setAdapter(adapter, of: target.name, up: up) }
            }
        case .partition(let network, let sides):
            var map: [String: Int] = [:]
            for (index, side) in sides.enumerated() { for node in side { map[node] = index } }
            simulator.faults.partitions[network] = map
        case .cut(let network, let from, let to, let bothWays):
            simulator.faults.cuts.insert(NetworkFaults.Cut(from: from, to: to, network: network))
            if bothWays { simulator.faults.cuts.insert(NetworkFaults.Cut(from: to, to: from, network: network)) }
        case .heal(let network):
            if let network {
                simulator.faults.partitions[network] = nil
                simulator.faults.cuts = simulator.faults.cuts.filter { $0.network != network }
            } else {
                simulator.faults.partitions = [:]
                simulator.faults.cuts = []
            }
        case .pause(let node, let duration):
            simulator.pause(node, for: duration)
        case .degrade(let network, let loss, let delay):
            simulator.faults.conditions[network] = NetworkFaults.Conditions(
                loss: loss, minDelay: max(delay, .microseconds(100)), maxDelay: max(delay, .milliseconds(2)))
        case .restore(let network):
            if let network { simulator.faults.conditions[network] = nil } else { simulator.faults.conditions = [:] }
        case .move(let group, let node):
            return request(.move(group: group, node: node), simulator)
        case .online(let group):
            return request(.online(group: group), simulator)
        case .offline(let group, let sticky):
            return request(.offline(group: group, sticky: sticky), simulator)
        case .wait(let duration):
            simulator.run(for: duration)
        case .sync(let file):
            return sync(file, simulator)
        case .preview(let file, let expect):
            return preview(file, expect: expect, simulator)
        case .snapshotSave(let name):
            simulator.snapshots[name] = simulator.activeConfig
        case .snapshotRestore(let name):
            guard let saved = simulator.snapshots[name] else { return "snapshot restore \(name): no such snapshot" }
            if let broken = HeartbeatContinuity.refusal(from: simulator.activeConfig, to: saved) {
                return "snapshot restore \(name) refused: \(broken)"
            }
            // As the command line, which answers once the cluster runs the version (at most 60 s).
            let version = sync(saved, simulator)
            for _ in 0..<600 where simulator.runningVersion < version { simulator.run(for: .milliseconds(100)) }
            if simulator.runningVersion < version {
                return "snapshot restore \(name): the cluster does not run version \(version) after 60s"
            }
        case .snapshotDiff(let name, let expect):
            guard let saved = simulator.snapshots[name] else { return "snapshot diff \(name): no such snapshot" }
            let difference = ConfigDifference(from: saved, to: simulator.activeConfig)
            let said =
                ["snapshot \(name) -> live (version \(simulator.runningVersion)): \(difference.count)"]
                + difference.changes.map(\.description)
            return PlanAction.missingLines(of: "snapshot diff \(name) live", expect: expect, said: said)
        }
        return nil
    }

    /// The configuration of `file`, verified as `vigil sync` verifies it; or why not.
    private static func verified(_ file: String, _ simulator: Simulator) -> Result<ClusterConfig, PlanProblem> {
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            return .failure(PlanProblem("sync \(file): cannot read it: \(error.localizedDescription)"))
        }
        let config: ClusterConfig
        switch VerifiedText.configuration(text, file: file, clusterID: simulator.config.id) {
        case .success(let verified): config = verified
        case .failure(let refusal):
            return .failure(PlanProblem("sync \(file): \(refusal.errors.joined(separator: "; "))"))
        }
        if let broken = HeartbeatContinuity.refusal(from: simulator.activeConfig, to: config) {
            return .failure(PlanProblem("sync \(file) refused: \(broken)"))
        }
        return .success(config)
    }

    /// `vigil sync FILE`: the next version is stored on every running node, as the daemons' push
    /// would store it (the grant of the version is the fuzzer's to prove), and the cluster runs it.
    private static func sync(_ file: String, _ simulator: Simulator) -> String? {
        switch verified(file, simulator) {
        case .success(let loaded):
            sync(loaded, simulator)
            return nil
        case .failure(let problem):
            return problem.text
        }
    }

    /// Stores `config` as the next version on every running node; returns that version.
    @discardableResult
    private static func sync(_ config: ClusterConfig, _ simulator: Simulator) -> UInt64 {
        let running = simulator.world.nodes.map(\.name).filter { simulator.hosts[$0]?.core != nil }
        let newest = running.compactMap { simulator.hosts[$0]?.core?.newestKnownConfigVersion }.max() ?? 0
        simulator.defineConfiguration(config, version: newest + 1)
        for node in running { simulator.configurationStored(version: newest + 1, on: node) }
        return newest + 1
    }

    /// `vigil sync --preview FILE`: the preview from a running node's agreed state, checked for
    /// every expected line.
    private static func preview(_ file: String, expect: [String], _ simulator: Simulator) -> String? {
        let config: ClusterConfig
        switch verified(file, simulator) {
        case .success(let loaded): config = loaded
        case .failure(let problem): return problem.text
        }
        guard
            let core = simulator.world.nodes.compactMap({ simulator.hosts[$0.name]?.core }).first(where: {
                $0.installed != nil
            })
        else { return "preview \(file): no node is in a view" }
        let preview = ReconfigurationPreview(
            from: core.config, to: config, state: core.installed, fromVersion: core.versions.running,
            toVersion: core.newestKnownConfigVersion + 1)
        return PlanAction.missingLines(of: "preview \(file)", expect: expect, said: preview.lines)
    }

    /// Makes the request on the first running node and waits for the answer.
    private static func request(_ request: AdminRequest, _ simulator: Simulator) -> String? {
        guard let node = simulator.world.nodes.first(where: { simulator.hosts[$0.name]?.core != nil })?.name else {
            return "\(request): no node runs cluster services"
        }
        let before = simulator.hosts[node]?.core?.answers.count ?? 0
        simulator.request(request, on: node)
        for _ in 0..<100 {
            if let answers = simulator.hosts[node]?.core?.answers, answers.count > before {
                return answers.last!.refusal.map { "\(request) refused: \($0)" }
            }
            simulator.run(for: .milliseconds(50))
        }
        return "\(request): no answer within 5s"
    }
}

/// Why a plan action could not be carried out.
struct PlanProblem: Error {
    var text: String
    init(_ text: String) { self.text = text }
}
