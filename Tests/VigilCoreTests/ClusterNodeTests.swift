import Testing
@testable import VigilCore
import VigilModel

/// Proves three whole `ClusterNode`s, driven by hand through a tiny message pump with a virtual
/// clock (no simulator), form one agreed view with the lowest-ranked node as coordinator (the seed's
/// group services), place and acquire the groups where placement says, ignore messages of another
/// cluster, another protocol version or an unknown sender (DESIGN.md: "bad input changes nothing"),
/// take a gracefully stopped node's group offline without takeover, refuse an impossible `rg move`
/// with its reason, and log every event's start and completion to the cluster log as the seed's
/// cluster.log does (`EVENT START: node_up ghost1`).
@Suite struct ClusterNodeTests {
    static let names = ["node1", "node2", "node3"]
    static let web = ResourceGroup(
        name: "web", policy: .cascading, nodes: ["node2", "node1"], serviceAddresses: ["web_svc"],
        applications: ["webapp"])
    static let db = ResourceGroup(
        name: "db", policy: .rotating, nodes: ["node1", "node2", "node3"], serviceAddresses: ["db_svc"],
        volumeGroups: ["dbvg"], filesystems: ["/db"])
    static let shared = ResourceGroup(
        name: "shared", policy: .concurrent, nodes: ["node1", "node2", "node3"], volumeGroups: ["sharedvg"])

    /// Three nodes on one Ethernet (eth0 each): web cascading node2 then node1, db rotating over
    /// all three, shared concurrent on all three.
    static let config = ClusterConfig(
        name: "trio", id: 42,
        networks: [CoreFixture.ipNetwork("ether")],
        nodes: CoreFixture.nodes(names, on: ["ether"]),
        serviceAddresses: [CoreFixture.service("web_svc", on: "ether", host: 80), CoreFixture.service("db_svc", on: "ether", host: 54)],
        applications: [Application(name: "webapp", start: "webapp start", stop: "webapp stop")],
        volumeGroups: [VolumeGroup(name: "dbvg"), VolumeGroup(name: "sharedvg", concurrent: true)],
        filesystems: [Filesystem(mountPoint: "/db", device: "/dev/dbvg/lv1", volumeGroup: "dbvg")],
        resourceGroups: [web, db, shared])

    /// The three nodes started at zero and left to settle for `seconds` of virtual time.
    static func started(settling seconds: Int = 2) -> Pump {
        var pump = Pump(config: config, names: names)
        for name in names { pump.input(name) { node, now in node.start(at: now) } }
        pump.run(for: .seconds(seconds))
        return pump
    }

    // MARK: Membership

    @Test func startingNodesInstallOneViewWithTheLowestRankedNodeAsCoordinator() throws {
        let pump = Self.started()
        let first = try #require(pump.nodes["node1"]?.installed)
        #expect(first.coordinator == "node1")
        #expect(Set(first.members.keys) == Set(Self.names))
        #expect(first.up == Set(Self.names))
        #expect(first.isStable)
        for name in Self.names {
            let node = try #require(pump.nodes[name])
            #expect(node.installed == first, "\(name) installed another state than node1")
            #expect(node.isCoordinator == (name == "node1"))
            #expect(node.phase == .running)
        }
    }

    // MARK: Placement and holdings

    @Test func groupsArePlacedAndHeldWherePlacementSays() throws {
        let pump = Self.started()
        let state = try #require(pump.nodes["node1"]?.installed)
        #expect(state.placement.mapValues(\.nodes) == ["web": ["node2"], "db": ["node1"], "shared": Self.names])
        #expect(state.placement.mapValues(\.nodes) == Placement.compute(config: Self.config, state: state).mapValues(\.nodes))
        for name in Self.names {
            let holdings = try #require(pump.nodes[name]?.holdings)
            for group in Self.config.resourceGroups {
                let placed = state.placement[group.name]?.nodes.contains(name) ?? false
                #expect(holdings.state(of: group.name) == (placed ? .online : .offline), "\(group.name) on \(name)")
            }
        }
        #expect(pump.nodes["node2"]?.holdings.groups["web"]?.addressAdapters == ["web_svc": "eth0"])
        #expect(pump.nodes["node1"]?.holdings.groups["db"]?.addressAdapters == ["db_svc": "eth0"])
        // node2 acquired web with one batch, in the seed's order.
        let batches = pump.batches(of: "node2").filter { $0.group == "web" }
        #expect(batches.map(\.purpose) == [.acquire])
        #expect(batches.first?.actions == ResourceOrder.acquire(Self.web, in: Self.config, adapters: ["ether": "eth0"]))
    }

    /// A node that takes in the packets waiting for it together, settling once after them
    /// (`receiveAll`, what vigild does when it falls behind), forms the same view, places the
    /// groups the same way and holds what placement says, as one that settles after each.
    @Test func nodesTakingTheirPacketsInBatchesFormTheSameCluster() throws {
        var batched = Pump(config: Self.config, names: Self.names)
        batched.batching = true
        for name in Self.names { batched.input(name) { node, now in node.start(at: now) } }
        batched.run(for: .seconds(2))
        let plain = Self.started()
        let state = try #require(batched.nodes["node1"]?.installed)
        let expected = try #require(plain.nodes["node1"]?.installed)
        #expect(state.coordinator == expected.coordinator)
        #expect(state.members == expected.members)
        #expect(state.placement == expected.placement)
        #expect(state.isStable)
        for name in Self.names {
            #expect(batched.nodes[name]?.installed == state, "\(name) installed another state than node1")
            #expect(batched.nodes[name]?.holdings == plain.nodes[name]?.holdings, "holdings of \(name)")
        }
        // Batches did happen: some step took in more than one message.
        #expect(batched.steps(of: "node1").count < plain.steps(of: "node1").count)
        // And every event ran at the same moment: nothing waited for a later tick.
        for name in Self.names {
            func events(_ pump: Pump) -> Set<String> {
                Set(pump.logRecords(of: name).filter { $0.destination == .cluster }.map { "\($0.time) \($0.text)" })
            }
            #expect(events(batched) == events(plain), "the cluster log of \(name)")
        }
    }

    // MARK: Bad input

    @Test func messagesOfAnotherClusterVersionOrSenderAreIgnored() throws {
        let pump = Self.started()
        let node2 = try #require(pump.nodes["node2"])
        let state = try #require(node2.installed)
        let genuine = Envelope(
            clusterID: Self.config.id, from: "node1", incarnation: pump.incarnation("node1"), to: "node2", network: "ether",
            message: .propose(Proposal(epoch: state.epoch + 50, coordinator: "node1", members: state.members)))

        // The genuine message is acted on: node2 promises the new epoch and answers.
        var control = node2
        let answered = control.receive(genuine, at: pump.now)
        #expect(answered.messages.contains { if case .accept = $0.message { true } else { false } })
        #expect(control.membership.promised == state.epoch + 50)

        var otherCluster = genuine
        otherCluster.clusterID = Self.config.id + 1
        var otherVersion = genuine
        otherVersion.protocolVersion = vigilProtocolVersion + 1
        var unknownSender = genuine
        unknownSender.from = "intruder"
        var someoneElses = genuine
        someoneElses.to = "node3"
        for (what, envelope) in [("cluster id", otherCluster), ("protocol version", otherVersion),
                                 ("unknown sender", unknownSender), ("another addressee", someoneElses)] {
            var node = node2
            let directives = node.receive(envelope, at: pump.now)
            #expect(directives.isEmpty, "\(what): \(directives)")
            #expect(NodeSnapshot(node, at: pump.now) == NodeSnapshot(node2, at: pump.now), "\(what) changed node2")
        }
    }

    // MARK: Stopping

    @Test func gracefulStopTakesTheNodesGroupsOfflineWithoutTakeover() throws {
        var pump = Self.started()
        pump.input("node2") { node, now in node.stop(.graceful, at: now) }
        pump.run(for: .seconds(4))
        let node2 = try #require(pump.nodes["node2"])
        #expect(pump.steps(of: "node2").contains { $0.stopped })
        #expect(node2.phase == .stopped)
        #expect(node2.holdings.isEmpty, "node2 released everything: \(node2.holdings)")
        let state = try #require(pump.nodes["node1"]?.installed)
        #expect(state.up == ["node1", "node3"])
        #expect(Set(state.members.keys) == ["node1", "node3"])
        #expect(state.admin.held["web"] == .stoppedWith(node: "node2"))
        #expect(state.placement.mapValues(\.nodes) == ["web": [], "db": ["node1"], "shared": ["node1", "node3"]])
        for name in ["node1", "node3"] {
            #expect(pump.nodes[name]?.holdings.state(of: "web") == .offline, "web was taken over by \(name)")
        }
        #expect(pump.clusterLog(of: "node1").contains("EVENT START: node_down node2 graceful"))
    }

    @Test func gracefullyStoppedNodesGroupComesBackWithIt() throws {
        var pump = Self.started()
        pump.input("node2") { node, now in node.stop(.graceful, at: now) }
        pump.run(for: .seconds(3))
        pump.restart("node2", incarnation: 10)
        pump.run(for: .seconds(3))
        let state = try #require(pump.nodes["node1"]?.installed)
        #expect(state.admin.held["web"] == nil)
        #expect(state.placement["web"]?.nodes == ["node2"])
        #expect(pump.nodes["node2"]?.holdings.state(of: "web") == .online)
    }

    @Test func forcedStopLeavesGroupsRunningUnmanagedAndNobodyTakesThemOver() throws {
        var pump = Self.started()
        pump.input("node2") { node, now in node.stop(.forced, at: now) }
        pump.run(for: .seconds(3))
        let node2 = try #require(pump.nodes["node2"])
        #expect(node2.phase == .stopped)
        #expect(node2.holdings.state(of: "web") == .online, "a forced stop leaves the application running")
        #expect(!pump.batches(of: "node2").contains { $0.purpose == .release }, "a forced stop releases nothing")
        let state = try #require(pump.nodes["node1"]?.installed)
        #expect(state.admin.unmanaged["web"] == "node2")
        #expect(state.placement["web"]?.nodes == [])
        #expect(pump.nodes["node1"]?.holdings.state(of: "web") == .offline)
    }

    // MARK: Failures (Table 9: takeover and fallback)

    @Test func cascadingGroupIsTakenOverWhenItsNodeFailsAndFallsBackWhenItRejoins() throws {
        var pump = Self.started()
        pump.crash("node2")
        pump.run(for: .seconds(3))
        let during = try #require(pump.nodes["node1"]?.installed)
        #expect(during.up == ["node1", "node3"])
        #expect(during.placement.mapValues(\.nodes) == ["web": ["node1"], "db": ["node1"], "shared": ["node1", "node3"]])
        #expect(pump.nodes["node1"]?.holdings.state(of: "web") == .online)
        #expect(pump.clusterLog(of: "node3").contains("EVENT COMPLETED: node_down node2"))

        pump.restart("node2", incarnation: 10)
        pump.run(for: .seconds(3))
        let after = try #require(pump.nodes["node1"]?.installed)
        #expect(after.up == Set(Self.names))
        #expect(after.placement["web"]?.nodes == ["node2"], "web falls back to node2, its highest-priority node")
        #expect(pump.nodes["node2"]?.holdings.state(of: "web") == .online)
        #expect(pump.nodes["node1"]?.holdings.state(of: "web") == .offline)
        #expect(pump.nodes["node2"]?.installed == after)
    }

    @Test func rotatingGroupMovesWhenItsNodeFailsAndDoesNotFallBack() throws {
        var pump = Self.started()
        pump.crash("node1")
        pump.run(for: .seconds(3))
        let during = try #require(pump.nodes["node2"]?.installed)
        #expect(during.coordinator == "node2", "the lowest-ranked survivor coordinates")
        #expect(during.placement.mapValues(\.nodes) == ["web": ["node2"], "db": ["node2"], "shared": ["node2", "node3"]])
        #expect(pump.nodes["node2"]?.holdings.state(of: "db") == .online)

        pump.restart("node1", incarnation: 10)
        pump.run(for: .seconds(3))
        let after = try #require(pump.nodes["node1"]?.installed)
        #expect(after.coordinator == "node1")
        #expect(after.placement.mapValues(\.nodes) == ["web": ["node2"], "db": ["node2"], "shared": Self.names])
        #expect(pump.nodes["node1"]?.holdings.state(of: "db") == .offline, "a rotating group does not fall back")
        #expect(pump.nodes["node1"]?.holdings.state(of: "shared") == .online)
    }

    // MARK: Administration

    @Test func moveToANonParticipatingNodeIsRefusedWithItsReason() throws {
        var pump = Self.started()
        let before = pump.nodes.mapValues { NodeSnapshot($0, at: pump.now).agreedAndHeld }
        pump.input("node3") { node, now in node.request(.move(group: "web", node: "node3"), at: now).step }
        pump.run(for: .seconds(1))
        let node3 = try #require(pump.nodes["node3"])
        let reply = try #require(node3.answers.last)
        #expect(reply.request == .move(group: "web", node: "node3"))
        #expect(reply.refusal?.contains("node3 does not participate in web") == true, "\(reply.refusal ?? "accepted")")
        #expect(node3.pendingRequests.isEmpty)
        #expect(pump.nodes.mapValues { NodeSnapshot($0, at: pump.now).agreedAndHeld } == before, "a refused request changed something")
    }

    @Test func moveToAParticipatingNodeIsCarriedOutAndSticks() throws {
        var pump = Self.started()
        pump.input("node3") { node, now in node.request(.move(group: "web", node: "node1"), at: now).step }
        pump.run(for: .seconds(1))
        #expect(pump.nodes["node3"]?.answers.last?.refusal == nil)
        let state = try #require(pump.nodes["node1"]?.installed)
        #expect(state.placement["web"]?.nodes == ["node1"])
        #expect(state.admin.sticky["web"] == "node1")
        #expect(pump.nodes["node1"]?.holdings.state(of: "web") == .online)
        #expect(pump.nodes["node2"]?.holdings.state(of: "web") == .offline)
        #expect(pump.clusterLog(of: "node3").contains("EVENT COMPLETED: rg_move web move node1"))
    }

    // MARK: Logs

    @Test func eventStartAndCompletionGoToTheClusterLogInTheSeedsFormat() throws {
        let pump = Self.started()
        let expected = Self.names.flatMap { ["EVENT START: node_up \($0)", "EVENT COMPLETED: node_up \($0)"] }
        for name in Self.names {
            let events = pump.logRecords(of: name).filter { $0.text.hasPrefix("EVENT ") }
            #expect(events.map(\.text) == expected, "\(name)")
            #expect(events.allSatisfy { $0.destination == .cluster && $0.node == name })
            #expect(zip(events, events.dropFirst()).allSatisfy { $0.time <= $1.time }, "\(name): out of order")
        }
        let hooks = pump.steps(of: "node3").flatMap(\.work).compactMap { if case .runHooks(let hook) = $0 { hook } else { nil } }
        #expect(hooks.filter { $0.phase == .pre }.map(\.event) == Self.names.map { .nodeUp(node: $0) })
        #expect(hooks.filter { $0.phase == .post }.map(\.event) == Self.names.map { .nodeUp(node: $0) })
    }
}

/// What can be observed of a node from outside, to tell whether an input changed it.
struct NodeSnapshot: Equatable {
    var phase: ClusterNode.Phase
    var installed: ClusterState?
    var holdings: Holdings
    var promised: UInt64
    var highestEpochSeen: UInt64
    var isCoordinator: Bool
    var pendingRequests: [UInt64: AdminRequest]
    var answers: [AdminReply]
    var topology: TopologyReport
    var incarnations: [String: UInt64?]

    init(_ node: ClusterNode, at now: Moment) {
        phase = node.phase
        installed = node.installed
        holdings = node.holdings
        promised = node.membership.promised
        highestEpochSeen = node.membership.highestEpochSeen
        isCoordinator = node.isCoordinator
        pendingRequests = node.pendingRequests
        answers = node.answers
        topology = node.topology.report(at: now)
        incarnations = Dictionary(uniqueKeysWithValues: node.config.nodes.map { ($0.name, node.topology.incarnation(of: $0.name)) })
    }

    /// The agreed placement, administrative state and events, and what the node holds.
    var agreedAndHeld: AgreedAndHeld {
        AgreedAndHeld(placement: installed?.placement ?? [:], admin: installed?.admin ?? AdminState(),
                      events: installed?.events.map(\.event) ?? [], failures: installed?.failures ?? [:], holdings: holdings)
    }

    struct AgreedAndHeld: Equatable {
        var placement: [String: GroupPlacement]
        var admin: AdminState
        var events: [ClusterEvent]
        var failures: [String: Set<String>]
        var holdings: Holdings
    }
}

/// A tiny message pump: delivers every sent envelope to its node at once, answers every action batch
/// with success, and ticks each node at the moment it asked to be woken, on a virtual clock.
struct Pump {
    var nodes: [String: ClusterNode] = [:]
    private var crashed: [String: ClusterNode] = [:]
    var now = Moment.zero
    /// Every step each node returned, in order.
    private(set) var record: [String: [Step]] = [:]
    private var wakes: [String: Moment] = [:]
    private var queue: [Input] = []
    /// With `batching`, envelopes queued one after another for the same node reach it together
    /// (`ClusterNode.receiveAll`), as vigild hands over the packets that wait in its inbox.
    var batching = false

    enum Input {
        case deliver(Envelope)
        case finished(node: String, batch: UInt64)
    }

    /// A bound on the inputs one drain may process: far above what three nodes need, it only stops a loop.
    static let drainLimit = 100_000

    init(config: ClusterConfig, names: [String]) {
        for (index, name) in names.enumerated() {
            nodes[name] = ClusterNode(config: config, me: name, incarnation: UInt64(index + 1))
        }
    }

    func incarnation(_ name: String) -> UInt64 { nodes[name]!.incarnation }

    /// Gives `name` an input now, then delivers everything that follows from it.
    mutating func input(_ name: String, _ body: (inout ClusterNode, Moment) -> Step) {
        let step = body(&nodes[name]!, now)
        carryOut(step, of: name)
        drain()
    }

    /// The node dies: it gets no more input, and messages to it are lost.
    mutating func crash(_ name: String) {
        crashed[name] = nodes.removeValue(forKey: name)
        wakes[name] = nil
    }

    /// A crashed or stopped node starts again with a new incarnation and nothing held (its host rebooted).
    mutating func restart(_ name: String, incarnation: UInt64) {
        let config = (crashed.removeValue(forKey: name) ?? nodes[name]!).config
        nodes[name] = ClusterNode(config: config, me: name, incarnation: incarnation)
        input(name) { node, now in node.start(at: now) }
    }

    /// Advances the virtual clock by `duration`, ticking nodes when they asked.
    mutating func run(for duration: Duration) {
        let end = now + duration
        while let next = wakes.values.min(), next <= end {
            now = max(now, next)
            for name in wakes.keys.sorted() where wakes[name]! <= now {
                wakes[name] = nil
                carryOut(nodes[name]!.tick(at: now), of: name)
                drain()
            }
        }
        now = end
    }

    private mutating func carryOut(_ step: Step, of name: String) {
        record[name, default: []].append(step)
        for batch in step.batches { queue.append(.finished(node: name, batch: batch.id)) }
        for envelope in step.messages { queue.append(.deliver(envelope)) }
        if let at = step.wake { wakes[name] = at }
        if step.stopped { wakes[name] = nil }
    }

    private mutating func drain() {
        var processed = 0
        while !queue.isEmpty {
            processed += 1
            precondition(processed <= Self.drainLimit, "the nodes keep messaging each other at \(now): \(queue.prefix(5))")
            switch queue.removeFirst() {
            case .deliver(let envelope):
                guard nodes[envelope.to] != nil else { continue }
                guard batching else {
                    carryOut(nodes[envelope.to]!.receive(envelope, at: now), of: envelope.to)
                    continue
                }
                var together = [envelope]
                while case .deliver(let next) = queue.first, next.to == envelope.to {
                    together.append(next)
                    queue.removeFirst()
                }
                carryOut(nodes[envelope.to]!.receiveAll(together, at: now), of: envelope.to)
            case .finished(let name, let batch):
                carryOut(nodes[name]!.actionsFinished(batch, outcome: .succeeded, at: now), of: name)
            }
        }
    }

    func steps(of name: String) -> [Step] { record[name] ?? [] }

    func batches(of name: String) -> [ActionBatch] { steps(of: name).flatMap(\.batches) }

    func logRecords(of name: String) -> [LogRecord] { steps(of: name).flatMap(\.logs) }

    /// The node's cluster log (the seed's cluster.log), one line per record.
    func clusterLog(of name: String) -> [String] {
        logRecords(of: name).filter { $0.destination == .cluster }.map(\.text)
    }
}
