import Foundation
import NIOCore
import VigilModel

@testable import VigilCore
@testable import VigilRuntime

/// A seeded generator (SplitMix64): every random test replays exactly from its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
}

enum WireFixture {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func scream() throws -> ClusterConfig {
        try ConfigLoader.load(contentsOf: repoRoot.appendingPathComponent("examples/scream.yaml").path).config
    }

    static let secret = Array("correct horse battery staple, twice".utf8)

    static func codec(clusterID: Int = 20, secret: [UInt8] = secret) throws -> PacketCodec {
        PacketCodec(clusterID: clusterID, key: try ClusterKey(secret: secret, clusterID: clusterID))
    }

    static func heartbeat(from: String = "ghost1", to: String = "ghost2", clusterID: Int = 20) -> Envelope {
        Envelope(
            clusterID: clusterID, from: from, incarnation: 1_763_790_000_123, to: to, network: "token",
            fromAdapter: "tr0", toAdapter: "tr1",
            message: .heartbeat(
                Heartbeat(
                    view: ViewID(epoch: 12, coordinator: "ghost1"), installedEpoch: 12,
                    stamp: .milliseconds(98_765_432), echo: .milliseconds(98_765_001),
                    ipPeers: ["ghost2", "ghost3"], disconnected: true, urgent: true)))
    }

    static func report(nodes: [String], networks: [String], groups: [String]) -> MemberReport {
        var sights: [String: NetworkSight] = [:]
        for network in networks {
            sights[network] = NetworkSight(
                heard: Set(nodes),
                adapters: [
                    "en0": AdapterSight(carrier: true, hearing: true),
                    "en1": AdapterSight(carrier: true, hearing: false),
                ])
        }
        var holdings = Holdings(ownAddresses: ["svc": "en0"])
        for group in groups {
            holdings.groups[group] = GroupHolding(state: .online, addressAdapters: ["\(group)_svc": "en0"])
        }
        holdings.groups["failed"] = GroupHolding(
            state: .error, failure: GroupFailure(.acquire, "mount /data failed: exit 32"))
        return MemberReport(
            number: 41, incarnation: 7, installedEpoch: 12, installedSeq: 30,
            topology: TopologyReport(networks: sights),
            holdings: holdings, doneRoundEpoch: 12, doneRound: 3, leaving: .takeover, hasLease: true, configVersion: 40,
            runningConfigVersion: 39)
    }

    /// A busy agreed state: every node up, its topology, every group placed, a full event log and
    /// a round under way. `nodes` and `groups` set its size.
    static func state(nodes: [String], networks: [String], groups: [String]) -> ClusterState {
        var state = ClusterState(
            epoch: 12, coordinator: nodes[0],
            members: Dictionary(uniqueKeysWithValues: nodes.map { ($0, 1_763_790_000_123) }))
        state.seq = 30
        state.up = Set(nodes)
        state.upIncarnations = state.members
        state.departed = [nodes.last!: 1_763_790_000_123]
        for node in nodes {
            state.topology.nodes[node] = NodeTopology(
                networksUp: Set(networks), adaptersUp: ["en0", "en1"],
                active: Dictionary(uniqueKeysWithValues: networks.map { ($0, "en0") }))
        }
        state.admin.sticky = [groups[0]: nodes[1]]
        state.admin.held = [groups[1]: .administrator(sticky: true), groups.last!: .stoppedWith(node: nodes[2])]
        state.admin.unmanaged = [groups[0]: nodes[0]]
        state.primaryHasBeenUp = Set(groups)
        for (index, group) in groups.enumerated() {
            let chosen = nodes[index % nodes.count]
            let decision = PlacementDecision(
                rule: "cascading: the highest-priority eligible node",
                candidates: nodes.map {
                    PlacementDecision.Candidate(node: $0, $0 == chosen ? .chosen : .lostNetworks(networks))
                },
                cause: "node_down \(nodes[2])", event: 1_763_790_000_456)
            state.placement[group] = GroupPlacement(
                nodes: [chosen], reason: "highest-priority live node", decision: decision)
        }
        state.failures = [groups[0]: [nodes[1]]]
        let kinds: [ClusterEvent] = [
            .nodeUp(node: nodes[1]), .nodeDown(node: nodes[2], how: .failed),
            .networkDown(network: networks[0], node: nil),
            .networkUp(network: networks[0], node: nodes[0]),
            .swapAdapter(node: nodes[0], network: networks[0], from: "en0", to: "en1"),
            .failStandby(node: nodes[1], adapter: "en1"), .joinStandby(node: nodes[1], adapter: "en1"),
            .rgMove(.move(group: groups[0], node: nodes[1])), .rgMove(.online(group: groups[0])),
            .rgMove(.offline(group: groups[0], sticky: true)), .reconfig(version: 40),
        ]
        for number in 0..<ClusterState.recentEventLimit {
            state.events.append(
                EventRecord(
                    number: UInt64(number + 1), event: kinds[number % kinds.count],
                    started: Moment(.milliseconds(1000 * number)), completed: Moment(.milliseconds(1000 * number + 420))
                ))
        }
        state.events[state.events.count - 1].completed = nil
        state.nextEventNumber = UInt64(ClusterState.recentEventLimit + 1)
        state.firstEventOfView = 20
        state.round = RecoveryRound(number: 4, kind: .acquire, work: [nodes[1]: groups, nodes[0]: [groups[0]]])
        state.nextRoundNumber = 5
        state.tooLong = true
        state.configVersion = 41
        state.activeConfigVersion = 39
        state.pendingConfigVersion = 40
        state.configGrants = [ConfigGrant(version: 41, origin: nodes[1], request: 77)]
        return state
    }

    /// One envelope of every `Message` case, with every optional field set somewhere.
    static func everyMessage(clusterID: Int = 20) -> [Envelope] {
        let nodes = ["ghost1", "ghost2", "ghost3", "ghost4"]
        let state = state(nodes: nodes, networks: ["ether", "token"], groups: ["CH1", "SH2", "SH3", "IP4"])
        let report = report(nodes: nodes, networks: ["ether", "token"], groups: ["SH2"])
        let request = AdminEnvelope(id: 9, origin: "ghost3", request: .offline(group: "SH3", sticky: true))
        let messages: [Message] = [
            .heartbeat(
                Heartbeat(view: ViewID(epoch: 3, coordinator: "ghost2"), installedEpoch: 0, stamp: .zero, echo: nil)),
            .propose(
                Proposal(epoch: 13, coordinator: "ghost1", members: ["ghost1": 5, "ghost2": WireLimits.largestCounter])),
            .accept(Acceptance(epoch: 13, report: report, agreed: state, lastHeardAgo: ["ghost4": .milliseconds(850)])),
            .accept(Acceptance(epoch: 13, report: report, agreed: nil, lastHeardAgo: [:])),
            .decline(Decline(epoch: 13, promised: 14, follows: "ghost2")),
            .state(state),
            .report(report),
            .request(request),
            .reply(
                AdminReply(
                    id: 9, origin: "ghost3", request: .move(group: "SH2", node: "ghost4"),
                    refusal: "the cluster is UNSTABLE")),
            .reply(AdminReply(id: 10, origin: "ghost3", request: .online(group: "SH2"), refusal: nil)),
        ]
        return [heartbeat(clusterID: clusterID)]
            + messages.map {
                Envelope(
                    clusterID: clusterID, from: "ghost1", incarnation: 77, to: "ghost3", network: "ether", message: $0)
            }
    }
}
