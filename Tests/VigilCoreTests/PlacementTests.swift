import Testing
import VigilCore
import VigilModel

/// Proves `Placement.compute` follows the seed's resource group policies (Table 9 of the HACMP
/// document, the "Behaviour that must hold" section of DESIGN.md): cascading with fallback and
/// inactive takeover, rotating without fallback, concurrent on every eligible node, the network rule
/// of Table 12 test 11, administrators' sticky moves and holds, forced stops and failures; that
/// every decision states its reason; and, over thousands of seeded random inputs, that it agrees
/// with a deliberately naive reference and never gives a non-concurrent group two nodes.
@Suite struct PlacementTests {
    // MARK: Fixtures

    /// Nodes n1, n2, n3, n4 on networks net1 and net2; `groups` as given; service addresses `svc1`
    /// on net1 and `svc2` on net2.
    static func config(_ groups: [ResourceGroup], nodes: [String] = ["n1", "n2", "n3", "n4"]) -> ClusterConfig {
        ClusterConfig(
            name: "test", id: 1,
            networks: [CoreFixture.ipNetwork("net1"), CoreFixture.ipNetwork("net2")],
            nodes: CoreFixture.nodes(nodes, on: ["net1", "net2"]),
            serviceAddresses: [CoreFixture.service("svc1", on: "net1", host: 1), CoreFixture.service("svc2", on: "net2", host: 2)],
            resourceGroups: groups)
    }

    /// A state in which `up` are up with every network of `config` working, except the networks
    /// listed in `lost` for their node.
    static func state(
        _ config: ClusterConfig, up: [String], lost: [String: Set<String>] = [:],
        primaryHasBeenUp: Set<String>? = nil, previous: [String: [String]] = [:]
    ) -> ClusterState {
        var state = ClusterState(epoch: 1, coordinator: up.first ?? "n1",
                                 members: Dictionary(uniqueKeysWithValues: up.map { ($0, 1) }))
        state.up = Set(up)
        for node in up {
            let attached = Set(config.node(named: node)?.networks ?? [])
            state.topology.nodes[node] = NodeTopology(networksUp: attached.subtracting(lost[node] ?? []))
        }
        state.primaryHasBeenUp = primaryHasBeenUp ?? Set(config.resourceGroups.map(\.name))
        state.placement = previous.mapValues { GroupPlacement(nodes: $0, reason: "before") }
        return state
    }

    static func nodes(_ config: ClusterConfig, _ state: ClusterState) -> [String: [String]] {
        Placement.compute(config: config, state: state).mapValues(\.nodes)
    }

    static let cascading = ResourceGroup(name: "C", policy: .cascading, nodes: ["n2", "n3", "n1"], serviceAddresses: ["svc1"])
    static let rotating = ResourceGroup(name: "R", policy: .rotating, nodes: ["n1", "n2", "n3"], serviceAddresses: ["svc1"])

    // MARK: Cascading (Table 9)

    @Test func cascadingGoesToTheHighestPriorityEligibleNode() {
        let config = Self.config([Self.cascading])
        #expect(Self.nodes(config, Self.state(config, up: ["n1", "n2", "n3"]))["C"] == ["n2"])
        #expect(Self.nodes(config, Self.state(config, up: ["n1", "n3"]))["C"] == ["n3"])
        #expect(Self.nodes(config, Self.state(config, up: ["n1"]))["C"] == ["n1"])
        #expect(Self.nodes(config, Self.state(config, up: ["n4"]))["C"] == [], "n4 does not participate")
    }

    @Test func cascadingFallsBackWhenAHigherPriorityNodeReturns() {
        let config = Self.config([Self.cascading])
        let before = Self.state(config, up: ["n1", "n3"], previous: ["C": ["n3"]])
        #expect(Self.nodes(config, before)["C"] == ["n3"])
        let after = Self.state(config, up: ["n1", "n2", "n3"], previous: ["C": ["n3"]])
        #expect(Self.nodes(config, after)["C"] == ["n2"], "the group falls back to n2, its highest-priority node")
    }

    @Test func cascadingWithoutInactiveTakeoverWaitsUntilItsPrimaryHasBeenUp() {
        let config = Self.config([Self.cascading])
        let waiting = Placement.compute(config: config, state: Self.state(config, up: ["n1", "n3"], primaryHasBeenUp: []))
        #expect(waiting["C"]?.nodes == [])
        #expect(waiting["C"]?.reason.contains("n2") == true, "the reason names the primary it waits for: \(waiting["C"]!.reason)")
        // Once n2 has been up, the group cascades normally even though n2 left again.
        let cascaded = Self.nodes(config, Self.state(config, up: ["n1", "n3"], primaryHasBeenUp: ["C"]))
        #expect(cascaded["C"] == ["n3"])
    }

    @Test func cascadingWithInactiveTakeoverComesUpOnALowerNode() {
        var group = Self.cascading
        group.inactiveTakeover = true
        let config = Self.config([group])
        #expect(Self.nodes(config, Self.state(config, up: ["n1", "n3"], primaryHasBeenUp: []))["C"] == ["n3"])
    }

    // MARK: Rotating (Table 9)

    @Test func rotatingStaysWhereItIsWithoutFallback() {
        let config = Self.config([Self.rotating])
        let state = Self.state(config, up: ["n1", "n2", "n3"], previous: ["R": ["n3"]])
        #expect(Self.nodes(config, state)["R"] == ["n3"], "n1 rejoined, but a rotating group does not fall back")
    }

    @Test func rotatingGoesToTheFirstEligibleNodeInListOrder() {
        let config = Self.config([Self.rotating])
        #expect(Self.nodes(config, Self.state(config, up: ["n2", "n3"]))["R"] == ["n2"])
        // Its holder failed: the first eligible node in list order takes it.
        #expect(Self.nodes(config, Self.state(config, up: ["n1", "n3"], previous: ["R": ["n2"]]))["R"] == ["n1"])
        // A previous holder that does not participate any more is not kept.
        #expect(Self.nodes(config, Self.state(config, up: ["n1", "n4"], previous: ["R": ["n4"]]))["R"] == ["n1"])
    }

    @Test func rotatingPrefersNodesHoldingFewerRotatingGroups() {
        let groups = ["R1", "R2", "R3"].map {
            ResourceGroup(name: $0, policy: .rotating, nodes: ["n1", "n2", "n3"])
        }
        let config = Self.config(groups)
        #expect(Self.nodes(config, Self.state(config, up: ["n1", "n2", "n3"])) == ["R1": ["n1"], "R2": ["n2"], "R3": ["n3"]])
        // R1 stays on n2; R2 then goes to n1, the first of the nodes holding none; R3 to n3.
        let kept = Self.state(config, up: ["n1", "n2", "n3"], previous: ["R1": ["n2"]])
        #expect(Self.nodes(config, kept) == ["R1": ["n2"], "R2": ["n1"], "R3": ["n3"]])
        // With two nodes, the third group doubles up on the first node in list order.
        #expect(Self.nodes(config, Self.state(config, up: ["n2", "n3"])) == ["R1": ["n2"], "R2": ["n3"], "R3": ["n2"]])
    }

    @Test func rotatingCountsGroupsThatStayWhenChoosingTheLightestNode() {
        // R2 stays on n1 (no fallback); R1's holder n3 failed. n1 already holds a rotating group and
        // n2 holds none, so R1 goes to n2, whatever the order the groups are configured in.
        let groups = ["R1", "R2"].map { ResourceGroup(name: $0, policy: .rotating, nodes: ["n1", "n2", "n3"]) }
        for config in [Self.config(groups), Self.config(groups.reversed())] {
            let state = Self.state(config, up: ["n1", "n2"], previous: ["R1": ["n3"], "R2": ["n1"]])
            #expect(Self.nodes(config, state) == ["R1": ["n2"], "R2": ["n1"]],
                    "configured order \(config.resourceGroups.map(\.name))")
        }
    }

    // MARK: Concurrent (Table 9)

    @Test func concurrentIsOnlineOnEveryEligibleNode() {
        let group = ResourceGroup(name: "K", policy: .concurrent, nodes: ["n3", "n1", "n2"], serviceAddresses: ["svc2"])
        let config = Self.config([group])
        #expect(Self.nodes(config, Self.state(config, up: ["n1", "n2", "n3", "n4"]))["K"] == ["n3", "n1", "n2"])
        #expect(Self.nodes(config, Self.state(config, up: ["n1", "n3"]))["K"] == ["n3", "n1"])
        #expect(Self.nodes(config, Self.state(config, up: ["n1", "n2", "n3"], lost: ["n1": ["net2"]]))["K"] == ["n3", "n2"])
        #expect(Self.nodes(config, Self.state(config, up: ["n4"]))["K"] == [])
    }

    // MARK: Networks (Table 12 test 11)

    @Test func table12Test11IP4LeavesGhost1WhenItsEtherIsDown() throws {
        let config = try CoreFixture.scream()
        let before = Self.state(config, up: CoreFixture.ghosts, previous: ["IP4": ["ghost1"]])
        #expect(Self.nodes(config, before) == ["CH1": ["ghost1", "ghost2"], "SH2": ["ghost3"], "SH3": ["ghost4"], "IP4": ["ghost1"]])
        let after = Self.state(config, up: CoreFixture.ghosts, lost: ["ghost1": ["ether"]], previous: ["IP4": ["ghost1"]])
        let placement = Placement.compute(config: config, state: after)
        #expect(placement.mapValues(\.nodes) == ["CH1": ["ghost1", "ghost2"], "SH2": ["ghost3"], "SH3": ["ghost4"], "IP4": ["ghost2"]])
        #expect(placement["IP4"]?.reason.contains("ghost1 not eligible") == true, "\(placement["IP4"]!.reason)")
    }

    @Test func aNodeThatLostTheServiceAddressNetworkIsNotEligible() {
        let config = Self.config([Self.cascading])
        let state = Self.state(config, up: ["n1", "n2", "n3"], lost: ["n2": ["net1"]])
        #expect(Self.nodes(config, state)["C"] == ["n3"])
        // Losing a network the group does not use changes nothing.
        #expect(Self.nodes(config, Self.state(config, up: ["n1", "n2", "n3"], lost: ["n2": ["net2"]]))["C"] == ["n2"])
        #expect(!Placement.isEligible("n2", for: Self.cascading, config: config, state: state))
        #expect(Placement.isEligible("n3", for: Self.cascading, config: config, state: state))
        let nowhere = Placement.compute(config: config, state: Self.state(
            config, up: ["n2", "n3"], lost: ["n2": ["net1"], "n3": ["net1"]]))["C"]!
        #expect(nowhere.nodes == [])
        #expect(nowhere.reason.contains("n2 lost net1") && nowhere.reason.contains("n1 down"), "\(nowhere.reason)")
    }

    // MARK: Administration (sticky moves, holds, forced stops)

    @Test func stickyMoveWinsWhileItsNodeIsEligible() {
        let config = Self.config([Self.cascading, Self.rotating])
        var state = Self.state(config, up: ["n1", "n2", "n3"], previous: ["R": ["n1"]])
        state.admin.sticky = ["C": "n1", "R": "n3"]
        let placement = Placement.compute(config: config, state: state)
        #expect(placement.mapValues(\.nodes) == ["C": ["n1"], "R": ["n3"]])
        #expect(placement["C"]?.reason.contains("administrator") == true)
    }

    @Test func stickyMoveIsIgnoredWhileItsNodeIsNotEligible() {
        let config = Self.config([Self.cascading])
        var down = Self.state(config, up: ["n2", "n3"])
        down.admin.sticky = ["C": "n1"]
        #expect(Self.nodes(config, down)["C"] == ["n2"])
        var cut = Self.state(config, up: ["n1", "n2", "n3"], lost: ["n1": ["net1"]])
        cut.admin.sticky = ["C": "n1"]
        #expect(Self.nodes(config, cut)["C"] == ["n2"])
        var failed = Self.state(config, up: ["n1", "n2", "n3"])
        failed.admin.sticky = ["C": "n1"]
        failed.failures = ["C": ["n1"]]
        #expect(Self.nodes(config, failed)["C"] == ["n2"])
        // The sticky placement is kept in the state and wins again once n1 is back.
        var back = Self.state(config, up: ["n1", "n2", "n3"])
        back.admin.sticky = ["C": "n1"]
        #expect(Self.nodes(config, back)["C"] == ["n1"])
    }

    @Test func administratorOfflineHoldKeepsTheGroupOffline() {
        let config = Self.config([Self.cascading, Self.rotating])
        for sticky in [false, true] {
            var state = Self.state(config, up: ["n1", "n2", "n3"], previous: ["R": ["n1"]])
            state.admin.held = ["C": .administrator(sticky: sticky), "R": .administrator(sticky: sticky)]
            state.admin.sticky = ["C": "n3"]
            let placement = Placement.compute(config: config, state: state)
            #expect(placement.mapValues(\.nodes) == ["C": [], "R": []])
            #expect(placement["C"]?.reason.contains("administrator") == true)
        }
    }

    @Test func gracefulStopHoldKeepsTheGroupOfflineUntilItsNodeReturns() {
        let config = Self.config([Self.cascading])
        var state = Self.state(config, up: ["n1", "n3"])
        state.admin.held = ["C": .stoppedWith(node: "n2")]
        let placement = Placement.compute(config: config, state: state)["C"]!
        #expect(placement.nodes == [])
        #expect(placement.reason.contains("n2"), "\(placement.reason)")
    }

    @Test func forcedStopLeavesTheGroupUnmanagedAndOffline() {
        let config = Self.config([Self.cascading])
        var state = Self.state(config, up: ["n1", "n3"])
        state.admin.unmanaged = ["C": "n2"]
        state.admin.sticky = ["C": "n3"]
        let placement = Placement.compute(config: config, state: state)["C"]!
        #expect(placement.nodes == [], "nobody takes over a group left running unmanaged")
        #expect(placement.reason.contains("n2"), "\(placement.reason)")
    }

    @Test func failuresExcludeANode() throws {
        let config = try CoreFixture.scream()
        var state = Self.state(config, up: CoreFixture.ghosts, previous: ["IP4": ["ghost1"]])
        state.failures = ["SH2": ["ghost3"], "IP4": ["ghost1"], "CH1": ["ghost2"]]
        #expect(Self.nodes(config, state) == ["CH1": ["ghost1"], "SH2": ["ghost4"], "SH3": ["ghost4"], "IP4": ["ghost2"]])
    }

    // MARK: Reasons ("Why did my resource move?")

    @Test func everyDecisionHasAReasonNamingTheChosenNode() throws {
        let config = try CoreFixture.scream()
        var generator = SplitMix64(seed: 0x5EED_0001)
        for _ in 0..<500 {
            let state = RandomPlacementInput.state(for: config, using: &generator)
            for (group, decision) in Placement.compute(config: config, state: state) {
                #expect(!decision.reason.isEmpty, "\(group) has no reason")
                for node in decision.nodes {
                    #expect(decision.reason.contains(node), "\(group) on \(node): \(decision.reason)")
                }
            }
        }
    }

    // MARK: Against a naive reference (STYLE.md point 7)

    @Test func table9PoliciesAgreeWithANaiveReferenceOverRandomInputs() throws {
        let scream = try CoreFixture.scream()
        let seed: UInt64 = 0x7AB1_E009
        var generator = SplitMix64(seed: seed)
        var mismatches = 0
        for iteration in 0..<3000 where mismatches < 5 {
            let config = generator.chance(30) ? scream : RandomPlacementInput.config(using: &generator)
            let state = RandomPlacementInput.state(for: config, using: &generator)
            let actual = Placement.compute(config: config, state: state)
            let expected = NaivePlacement.compute(config: config, state: state)
            for group in config.resourceGroups {
                let nodes = actual[group.name]?.nodes
                if nodes != expected[group.name] {
                    mismatches += 1
                    Issue.record("""
                        seed \(seed) iteration \(iteration): \(group.name) (\(group.policy), \(group.nodes), \
                        inactive takeover \(group.inactiveTakeover)) placed on \(nodes ?? []), reference says \
                        \(expected[group.name] ?? []); reason: \(actual[group.name]?.reason ?? "none")
                        state: up \(state.up.sorted()), networks \(state.topology.nodes.mapValues { $0.networksUp.sorted() }), \
                        admin \(state.admin), failures \(state.failures), previous \(state.placement.mapValues(\.nodes)), \
                        primaryHasBeenUp \(state.primaryHasBeenUp.sorted())
                        """)
                }
                if group.policy != .concurrent {
                    #expect((nodes ?? []).count <= 1, "never two nodes: \(group.name) on \(nodes ?? [])")
                }
                for node in nodes ?? [] {
                    #expect(state.up.contains(node) && group.nodes.contains(node), "\(group.name) on \(node), which may not hold it")
                }
            }
        }
    }
}

/// Seeded random configurations and states for placement.
enum RandomPlacementInput {
    /// 1 to 5 nodes, 1 to 3 networks, 1 to 5 groups of random policy, node list and service addresses.
    static func config(using generator: inout SplitMix64) -> ClusterConfig {
        let nodes = (1...(1 + generator.below(5))).map { "n\($0)" }
        let networks = (1...(1 + generator.below(3))).map { "net\($0)" }
        var services: [ServiceAddress] = []
        var groups: [ResourceGroup] = []
        for index in 1...(1 + generator.below(5)) {
            var members = generator.shuffled(generator.subset(nodes, percent: 70))
            if members.isEmpty { members = [generator.pick(nodes)] }
            var labels: [String] = []
            for k in 0..<generator.below(3) {
                let label = "g\(index)_svc\(k)"
                services.append(CoreFixture.service(label, on: generator.pick(networks), host: UInt32(services.count + 1)))
                labels.append(label)
            }
            groups.append(ResourceGroup(
                name: "G\(index)", policy: generator.pick(ResourceGroup.Policy.allCases), nodes: members,
                serviceAddresses: labels, inactiveTakeover: generator.chance(50)))
        }
        return ClusterConfig(
            name: "random", id: 1, networks: networks.map(CoreFixture.ipNetwork),
            nodes: CoreFixture.nodes(nodes, on: networks), serviceAddresses: services, resourceGroups: groups)
    }

    /// Random up nodes, networks (also for nodes that are not up), previous placement, failures,
    /// administrator state and inactive takeover memory.
    static func state(for config: ClusterConfig, using generator: inout SplitMix64) -> ClusterState {
        let names = config.nodes.map(\.name)
        let groups = config.resourceGroups.map(\.name)
        let up = generator.subset(names, percent: 65)
        var state = ClusterState(epoch: 1, coordinator: up.first ?? names[0],
                                 members: Dictionary(uniqueKeysWithValues: up.map { ($0, 1) }))
        state.up = Set(up)
        for node in config.nodes where state.up.contains(node.name) || generator.chance(20) {
            state.topology.nodes[node.name] = NodeTopology(networksUp: Set(generator.subset(node.networks, percent: 80)))
        }
        for group in config.resourceGroups {
            if generator.chance(60) {
                let previous = group.policy == .concurrent ? generator.subset(group.nodes) : [generator.pick(names)]
                state.placement[group.name] = GroupPlacement(nodes: previous, reason: "random")
            }
            if generator.chance(25) { state.failures[group.name] = Set(generator.subset(names, percent: 30)) }
            if generator.chance(15) { state.admin.sticky[group.name] = generator.pick(names) }
            if generator.chance(5) { state.admin.unmanaged[group.name] = generator.pick(names) }
            switch generator.below(20) {
            case 0: state.admin.held[group.name] = .administrator(sticky: generator.chance(50))
            case 1: state.admin.held[group.name] = .stoppedWith(node: generator.pick(names))
            default: break
            }
        }
        state.primaryHasBeenUp = Set(generator.subset(groups, percent: 60))
        return state
    }
}

/// Placement written as plainly as possible, straight from the rules in DESIGN.md and Table 9, to
/// check the real one against. Loops only; nothing shared with `Placement`.
///
/// "Holds the fewest rotating groups" counts every rotating group that is already settled (it
/// stays on its eligible holder, or an administrator's sticky move puts it on an eligible node)
/// before the others choose, in configured order.
enum NaivePlacement {
    static func compute(config: ClusterConfig, state: ClusterState) -> [String: [String]] {
        var result: [String: [String]] = [:]
        var rotatingGroupsOn: [String: Int] = [:]
        for group in config.resourceGroups where group.policy == .rotating {
            if let settled = settled(group, config: config, state: state) {
                result[group.name] = [settled]
                rotatingGroupsOn[settled] = (rotatingGroupsOn[settled] ?? 0) + 1
            }
        }
        for group in config.resourceGroups where result[group.name] == nil {
            let chosen = place(group, config: config, state: state, rotatingGroupsOn: rotatingGroupsOn)
            result[group.name] = chosen
            if group.policy == .rotating {
                for node in chosen { rotatingGroupsOn[node] = (rotatingGroupsOn[node] ?? 0) + 1 }
            }
        }
        return result
    }

    /// Where a rotating group is whatever the others do: on its sticky node, or staying put.
    static func settled(_ group: ResourceGroup, config: ClusterConfig, state: ClusterState) -> String? {
        if state.admin.unmanaged[group.name] != nil || state.admin.held[group.name] != nil { return nil }
        if let sticky = state.admin.sticky[group.name], isEligible(sticky, group, config: config, state: state),
           group.nodes.contains(sticky) {
            return sticky
        }
        if let previous = state.placement[group.name], let current = previous.nodes.first,
           group.nodes.contains(current), isEligible(current, group, config: config, state: state) {
            return current
        }
        return nil
    }

    static func place(_ group: ResourceGroup, config: ClusterConfig, state: ClusterState, rotatingGroupsOn: [String: Int]) -> [String] {
        if state.admin.unmanaged[group.name] != nil { return [] }
        if state.admin.held[group.name] != nil { return [] }
        var eligible: [String] = []
        for node in group.nodes where isEligible(node, group, config: config, state: state) {
            eligible.append(node)
        }
        if group.policy == .concurrent { return eligible }
        if let sticky = state.admin.sticky[group.name], eligible.contains(sticky) { return [sticky] }
        if eligible.isEmpty { return [] }
        if group.policy == .cascading {
            if !group.inactiveTakeover && !state.primaryHasBeenUp.contains(group.name) { return [] }
            return [eligible[0]]
        }
        // Rotating and not settled: the first node in list order among those holding the fewest.
        var best = eligible[0]
        for node in eligible where (rotatingGroupsOn[node] ?? 0) < (rotatingGroupsOn[best] ?? 0) {
            best = node
        }
        return [best]
    }

    static func isEligible(_ node: String, _ group: ResourceGroup, config: ClusterConfig, state: ClusterState) -> Bool {
        if !state.up.contains(node) { return false }
        if !group.nodes.contains(node) { return false }
        if let failed = state.failures[group.name], failed.contains(node) { return false }
        for label in group.serviceAddresses {
            var network: String? = nil
            for service in config.serviceAddresses where service.label == label { network = service.network }
            guard let network else { continue }
            guard let topology = state.topology.nodes[node], topology.networksUp.contains(network) else { return false }
        }
        return true
    }
}
