import Testing
@testable import VigilCore
import VigilModel

/// `vigil start|stop --all` in the core: an order from one node starts stopped nodes (it is taken
/// before the phase guard that keeps a stopped core deaf to everything else), stops running ones
/// the way `stop(_:at:)` does, is answered by each, is applied once however often it is resent,
/// and is ignored when it comes from outside the cluster.
@Suite struct ServicesOrderTests {
    static let config = ClusterNodeTests.config
    static let names = ClusterNodeTests.names

    @Test func aStartOrderStartsEveryStoppedNodeAndEachAnswers() throws {
        var pump = Pump(config: Self.config, names: Self.names)
        pump.input("node1") { node, now in node.start(at: now) }
        var id: UInt64 = 0
        pump.input("node1") { node, now in
            let order = node.orderServices(.start, at: now)
            id = order.id
            return order.step
        }
        pump.run(for: .seconds(3))
        for name in Self.names { #expect(pump.nodes[name]?.phase == .running, "\(name) did not start") }
        #expect(Set(try #require(pump.nodes["node1"]?.installed).up) == Set(Self.names))
        let round = try #require(pump.nodes["node1"]?.servicesRounds[id])
        #expect(round.asked == ["node2", "node3"])
        #expect(round.unanswered.isEmpty)
        #expect(round.answers["node2"]?.outcome == "starting cluster services on node2")
        #expect(pump.nodes["node1"]?.finishServices(id) != nil)
    }

    @Test func aStopOrderStopsRunningNodesLikeStopAndIsAppliedOnce() throws {
        var pump = ClusterNodeTests.started()
        var id: UInt64 = 0
        pump.input("node1") { node, now in
            let order = node.orderServices(.stop(.graceful), at: now)
            id = order.id
            return order.step.followed(by: node.stop(.graceful, at: now))
        }
        pump.run(for: .seconds(4))
        for name in Self.names {
            #expect(pump.nodes[name]?.phase == .stopped, "\(name) still runs")
            #expect(pump.nodes[name]?.holdings.isEmpty == true, "\(name) kept \(String(describing: pump.nodes[name]?.holdings))")
        }
        let round = try #require(pump.nodes["node1"]?.servicesRounds[id])
        #expect(round.answers["node3"]?.outcome == "stopping cluster services on node3 (graceful)")

        // The same order again (its answer was lost): answered again, nothing applied.
        var node3 = try #require(pump.nodes["node3"])
        let again = Envelope(clusterID: Self.config.id, from: "node1", incarnation: pump.incarnation("node1"), to: "node3",
                             network: "ether", message: .services(ServicesOrder(id: id, command: .start)))
        let step = node3.receive(again, at: pump.now)
        #expect(node3.phase == .stopped)
        #expect(step.messages.contains { if case .servicesDone(let a) = $0.message { a.outcome.contains("stopping") } else { false } })
        // A new order does start it.
        var fresh = again
        fresh.message = .services(ServicesOrder(id: id + 1, command: .start))
        let started = node3.receive(fresh, at: pump.now)
        #expect(node3.phase == .running)
        // A start after a stop in the same process is the node's next incarnation, which the step
        // asks the shell to persist before anything else.
        #expect(node3.incarnation == pump.incarnation("node3") + 1)
        #expect(started.persist == [.incarnation(node3.incarnation)])
    }

    @Test func nodesStoppedByAnOrderFormTheClusterAgainOnAStartOrder() throws {
        var pump = ClusterNodeTests.started()
        pump.input("node1") { node, now in node.orderServices(.stop(.graceful), at: now).step.followed(by: node.stop(.graceful, at: now)) }
        pump.run(for: .seconds(4))
        #expect(Self.names.allSatisfy { pump.nodes[$0]?.phase == .stopped })
        pump.input("node2") { node, now in node.orderServices(.start, at: now).step.followed(by: node.start(at: now)) }
        pump.run(for: .seconds(4))
        let state = try #require(pump.nodes["node1"]?.installed)
        #expect(Set(state.up) == Set(Self.names))
        #expect(state.placement["web"]?.nodes == ["node2"])
        #expect(pump.nodes["node2"]?.holdings.state(of: "web") == .online)
    }

    @Test func ordersFromOutsideTheClusterAreIgnoredByAStoppedNode() {
        let stopped = ClusterNode(config: Self.config, me: "node2", incarnation: 1)
        let genuine = Envelope(clusterID: Self.config.id, from: "node1", incarnation: 9, to: "node2", network: "ether",
                               message: .services(ServicesOrder(id: 1, command: .start)))
        var otherCluster = genuine
        otherCluster.clusterID += 1
        var unknown = genuine
        unknown.from = "intruder"
        var version = genuine
        version.protocolVersion += 1
        for envelope in [otherCluster, unknown, version] {
            var node = stopped
            #expect(node.receive(envelope, at: .zero).isEmpty)
            #expect(node.phase == .stopped)
        }
        var node = stopped
        #expect(!node.receive(genuine, at: .zero).isEmpty)
        #expect(node.phase == .running)
    }
}
