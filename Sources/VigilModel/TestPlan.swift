/// A test plan: a list of cases, each an action on the cluster and the placement expected after it
/// (the seed's testing list, Table 12). The same plan runs in the simulator (`vigil sim run`) and,
/// later, on real hosts.
public struct TestPlan: Sendable, Equatable {
    public var name: String
    /// How long to let the cluster work after a case's actions before checking (virtual time in the
    /// simulator).
    public var settle: Duration
    public var cases: [TestCase]

    public init(name: String, settle: Duration = .seconds(10), cases: [TestCase]) {
        self.name = name
        self.settle = settle
        self.cases = cases
    }

    /// The configuration files the plan syncs, in the order it syncs them: the hosts a plan runs on
    /// are those of its configuration and of these (a node a sync adds needs a host to start on).
    public var syncedFiles: [String] {
        cases.flatMap { $0.actions + $0.after }.compactMap { action in
            if case .sync(let file) = action { return file }
            return nil
        }
    }
}

/// One case: its actions, what must hold afterwards, and actions that tidy up after the check.
public struct TestCase: Sendable, Equatable {
    /// The case's number as the plan gives it (Table 12's "Test case" column).
    public var number: Int
    public var name: String
    public var actions: [PlanAction]
    /// The groups each node must hold ONLINE afterwards; a node not listed must hold none.
    public var expect: [String: [String]]
    /// Optionally, where service addresses must be: label -> `node/adapter`.
    public var addresses: [String: String]
    /// Lines that must appear in the cluster log during the case (as substrings).
    public var log: [String]
    /// Lines that must not appear in the cluster log during the case, its `after` actions left out
    /// (as substrings; `EVENT START` says that nothing at all happened).
    public var notLog: [String]
    /// Groups that must run on untouched through the case (a live reconfiguration that leaves them
    /// as they are): in the simulator no action releases, acquires or moves them; on the test bed
    /// the client's watch saw their service answer throughout, from the same node.
    public var steady: [String]
    /// Actions run after the check, to leave the cluster as the next case expects it.
    public var after: [PlanAction]
    /// Where the case was written.
    public var location: SourceLocation?

    public init(
        number: Int, name: String, actions: [PlanAction], expect: [String: [String]],
        addresses: [String: String] = [:], log: [String] = [], notLog: [String] = [], steady: [String] = [],
        after: [PlanAction] = [], location: SourceLocation? = nil
    ) {
        self.steady = steady
        self.number = number
        self.name = name
        self.actions = actions
        self.expect = expect
        self.addresses = addresses
        self.log = log
        self.notLog = notLog
        self.after = after
        self.location = location
    }
}

/// Something a test plan does to the cluster.
public enum PlanAction: Sendable, Equatable, CustomStringConvertible {
    /// Start cluster services (booting a crashed node first).
    case start([String])
    /// Stop cluster services: `graceful`, `takeover` or `forced`.
    case stop([String], mode: String)
    /// Crash nodes: their daemons and everything they held are gone, their links down.
    case crash([String])
    case failInterface(node: String, interface: String)
    case repairInterface(node: String, interface: String)
    /// Fail a network for one node (all its adapters on it) or for every node (`node == nil`).
    case failNetwork(network: String, node: String?)
    case repairNetwork(network: String, node: String?)
    /// Cut a network between sets of nodes.
    case partition(network: String, sides: [[String]])
    /// Nothing goes from `from` to `to` on a network, and, `bothWays`, nothing back either: the
    /// shapes a partition cannot make (A hears B, B hears C, A does not hear C; one-way loss).
    case cut(network: String, from: String, to: String, bothWays: Bool)
    /// Undo partitions and cuts on a network (or on all when `nil`).
    case heal(network: String?)
    case pause(node: String, duration: Duration)
    /// Lose a share of the packets (0...1) on a network and delay the rest.
    case degrade(network: String, loss: Double, delay: Duration)
    /// Undo `degrade` on a network (or on all when `nil`).
    case restore(network: String?)
    case move(group: String, node: String)
    case online(group: String)
    case offline(group: String, sticky: Bool)
    /// Let time pass.
    case wait(Duration)
    /// `vigil sync FILE` on a running node: the cluster runs the configuration live (`reconfig`).
    /// The path is the plan's, resolved against the plan file's directory.
    case sync(file: String)
    /// `vigil sync --preview FILE`: every line of `expect` must appear in what it prints (as
    /// substrings), and nothing changes.
    case preview(file: String, expect: [String])
    /// `vigil snapshot save NAME`.
    case snapshotSave(name: String)
    /// `vigil snapshot restore NAME`: its preview, then a sync of the snapshot's configuration.
    case snapshotRestore(name: String)
    /// `vigil snapshot diff NAME live`: every line of `expect` must appear in what it prints (as
    /// substrings), e.g. `no difference`.
    case snapshotDiff(name: String, expect: [String])

    public var description: String {
        switch self {
        case .start(let nodes): "start \(nodes.joined(separator: ", "))"
        case .stop(let nodes, let mode): "stop --\(mode) \(nodes.joined(separator: ", "))"
        case .crash(let nodes): "crash \(nodes.joined(separator: ", "))"
        case .failInterface(let node, let interface): "fail \(interface) on \(node)"
        case .repairInterface(let node, let interface): "repair \(interface) on \(node)"
        case .failNetwork(let network, let node): "fail network \(network)\(node.map { " on \($0)" } ?? "")"
        case .repairNetwork(let network, let node): "repair network \(network)\(node.map { " on \($0)" } ?? "")"
        case .partition(let network, let sides):
            "partition \(network) " + sides.map { $0.joined(separator: " ") }.joined(separator: " | ")
        case .cut(let network, let from, let to, let bothWays):
            "cut \(network) \(from) \(bothWays ? "<->" : "->") \(to)"
        case .heal(let network): "heal \(network ?? "all networks")"
        case .pause(let node, let duration): "pause \(node) for \(DurationText.format(duration))"
        case .degrade(let network, let loss, let delay):
            "degrade \(network): lose \(Int((loss * 100).rounded()))%, delay \(DurationText.format(delay))"
        case .restore(let network): "restore \(network ?? "all networks")"
        case .move(let group, let node): "rg move \(group) \(node)"
        case .online(let group): "rg online \(group)"
        case .offline(let group, let sticky): "rg offline \(group)\(sticky ? " --sticky" : "")"
        case .wait(let duration): "wait \(DurationText.format(duration))"
        case .sync(let file): "sync \(file)"
        case .preview(let file, _): "sync --preview \(file)"
        case .snapshotSave(let name): "snapshot save \(name)"
        case .snapshotRestore(let name): "snapshot restore \(name)"
        case .snapshotDiff(let name, _): "snapshot diff \(name) live"
        }
    }
}

extension PlanAction {
    /// What a `preview` or `snapshot_diff` action finds wrong with what the command said (`said`,
    /// its lines): the expected lines none of them contains, under `command` (`preview FILE`,
    /// `snapshot diff NAME live`); `nil` when every one is there.
    public static func missingLines(of command: String, expect: [String], said: [String]) -> String? {
        let missing = expect.filter { line in !said.contains { $0.contains(line) } }
        guard !missing.isEmpty else { return nil }
        return "\(command) lacks " + missing.map { "'\($0)'" }.joined(separator: ", ") + "; it says: "
            + said.joined(separator: " | ")
    }
}
