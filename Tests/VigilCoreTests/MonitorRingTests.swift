import Testing
import VigilModel

@testable import VigilCore

/// Monitoring in rings: whom a node heartbeats in a large view (`MonitorRing`), and the
/// coordinator's grants that confirm a member's lease (`Heartbeat.grants`).
@Suite struct MonitorRingTests {
    /// A view of the first `members` of `config`'s nodes, coordinated by n1, every network up on
    /// every member except those in `down` (node: networks).
    static func view(_ config: ClusterConfig, members: Int? = nil, down: [String: Set<String>] = [:]) -> ClusterState {
        let names = config.nodes.map(\.name).prefix(members ?? config.nodes.count)
        var state = ClusterState(
            epoch: 1, coordinator: "n1", members: Dictionary(uniqueKeysWithValues: names.map { ($0, UInt64(1)) }))
        for name in names {
            let networks = Set(config.nodes.first { $0.name == name }!.networks).subtracting(down[name] ?? [])
            state.topology.nodes[name] = NodeTopology(networksUp: networks)
        }
        return state
    }

    static func ring(_ me: String, _ config: ClusterConfig, _ view: ClusterState, observers: Int = 4) -> MonitorRing {
        MonitorRing(me: me, view: view, observers: observers, config: config)
    }

    @Test func aMemberWatchesItsRingNeighboursAndTheCoordinatorWhateverTheSize() {
        for size in [10, 32, 64] {
            let config = HeartbeatTurnsTests.config(nodes: size)
            let view = Self.view(config)
            for node in config.nodes.dropFirst() {
                let watched = Self.ring(node.name, config, view).peers["ether"]!
                #expect(watched.count == 5 || (watched.count == 4 && watched.contains("n1")), "\(node.name): \(watched)")
                #expect(watched.contains("n1"))
            }
            #expect(Self.ring("n5", config, view).peers["ether"] == ["n1", "n3", "n4", "n6", "n7"])
            // The coordinator watches every node; the ring wraps around.
            #expect(Self.ring("n1", config, view).isAllToAll)
            #expect(Self.ring("n\(size)", config, view).peers["ether"] == ["n1", "n2", "n\(size - 2)", "n\(size - 1)"])
        }
    }

    @Test func everyRingPathIsWatchedFromBothEnds() {
        let config = HeartbeatTurnsTests.config(nodes: 12)
        let view = Self.view(config)
        for a in config.nodes.dropFirst() {
            for b in Self.ring(a.name, config, view).peers["ether"]! where b != "n1" {
                #expect(Self.ring(b, config, view).watches(a.name, on: "ether"), "\(b) does not watch \(a.name)")
            }
        }
    }

    @Test func aSmallViewBeatsAllToAll() {
        let config = HeartbeatTurnsTests.config(nodes: 5)
        #expect(Self.ring("n3", config, Self.view(config)).isAllToAll)
        let six = HeartbeatTurnsTests.config(nodes: 6)
        #expect(!Self.ring("n3", six, Self.view(six)).isAllToAll)
        #expect(Self.ring("n3", six, Self.view(six), observers: 6).isAllToAll)
    }

    /// A node outside the view, or with the network down in the agreed topology, is watched by
    /// everyone, and the ring closes over it: its neighbours become each other's.
    @Test func nodesOutsideTheRingAreWatchedByEveryoneAndTheRingClosesOverThem() {
        let config = HeartbeatTurnsTests.config(nodes: 10)
        let outside = Self.view(config, members: 9)
        #expect(Self.ring("n5", config, outside).watches("n10", on: "ether"))
        let down = Self.view(config, down: ["n6": ["ether"]])
        let five = Self.ring("n5", config, down)
        #expect(five.peers["ether"] == ["n1", "n3", "n4", "n7", "n8", "n6"])
        // The node whose network is down watches every peer there.
        #expect(Self.ring("n6", config, down).isAllToAll)
    }

    /// A coordinator's echo with `grants` confirms the member on its own; the same echo from a
    /// node that does not coordinate the heartbeat's view, or in a view the member is not in, does not.
    @Test func onlyTheViewsCoordinatorGrants() {
        let config = HeartbeatTurnsTests.config(nodes: 10)
        let view = ViewID(epoch: 3, coordinator: "n1")
        let now = Moment.zero + .seconds(2)
        func confirmed(from peer: String, in beatView: ViewID, grants: Bool) -> Moment? {
            var topology = LocalTopology(config: config, me: "n5")
            let beat = Heartbeat(
                view: beatView, installedEpoch: beatView.epoch, stamp: .seconds(1), echo: .milliseconds(1_900),
                grants: grants)
            topology.heard(from: peer, incarnation: 1, network: "ether", onAdapter: "en0", heartbeat: beat, at: now)
            return topology.confirmedUntil(views: [view], at: now, smallestQuorum: 6, isQuorum: { $0.count >= 6 })
        }
        #expect(confirmed(from: "n1", in: view, grants: true) == Moment.zero + .milliseconds(1_900))
        #expect(confirmed(from: "n1", in: view, grants: false) == nil)
        #expect(confirmed(from: "n2", in: view, grants: true) == nil)
        #expect(confirmed(from: "n1", in: ViewID(epoch: 4, coordinator: "n1"), grants: true) == nil)
    }
}
