import Testing
import VigilCore
import VigilModel

/// Proves the semantic difference names what changed in the file's terms and nothing else, and
/// that the preview of a new configuration says which groups stay, restart, move, start and stop,
/// with the same placement function that decides (`ClusterState.adapted`, `Placement.compute`).
@Suite struct ReconfigurationPreviewTests {
    static let web = ResourceGroup(name: "web", policy: .cascading, nodes: ["n1", "n2"], serviceAddresses: ["svc1"])
    static let db = ResourceGroup(name: "db", policy: .rotating, nodes: ["n2", "n3"], serviceAddresses: ["svc2"])

    static func base() -> ClusterConfig { PlacementTests.config([web, db]) }

    /// The agreed state of `config` with n1, n2, n3 up and each group where placement puts it.
    static func running(_ config: ClusterConfig) -> ClusterState {
        var state = PlacementTests.state(config, up: ["n1", "n2", "n3"])
        state.placement = Placement.compute(config: config, state: state)
        return state
    }

    static func preview(_ new: ClusterConfig, from old: ClusterConfig = base()) -> ReconfigurationPreview {
        ReconfigurationPreview(from: old, to: new, state: running(old), fromVersion: 3, toVersion: 4)
    }

    static func outcome(_ preview: ReconfigurationPreview, _ group: String) -> ReconfigurationPreview.GroupOutcome? {
        preview.groups.first { $0.group == group }
    }

    // MARK: The difference

    @Test func theSameConfigurationHasNoDifference() {
        #expect(ConfigDifference(from: Self.base(), to: Self.base()).isEmpty)
        let preview = Self.preview(Self.base())
        #expect(preview.changes.isEmpty)
        #expect(preview.groups.allSatisfy { $0.action == .stay })
        #expect(preview.summary == "preview: version 3 -> 4: 0 groups move, 0 restart, 2 unchanged")
    }

    @Test func addedRemovedAndChangedThingsAreNamedInTheFilesTerms() {
        var new = Self.base()
        new.resourceGroups[0].nodes = ["n1", "n2", "n3"]
        new.resourceGroups.remove(at: 1)
        new.resourceGroups.append(ResourceGroup(name: "db2", policy: .cascading, nodes: ["n3"], serviceAddresses: ["svc2"]))
        new.tuning.heartbeats["ether"] = HeartbeatSettings(interval: .milliseconds(100), missedBeats: 4)
        new.nodes[3].interfaces.removeLast()
        let lines = ConfigDifference(from: Self.base(), to: new).changes.map(\.description)
        #expect(lines.contains("+ group db2"))
        #expect(lines.contains("- group db"))
        #expect(lines.contains("~ group web: nodes n1,n2 -> n1,n2,n3"))
        #expect(lines.contains("~ tuning.heartbeat.ether.interval 150ms -> 100ms"))
        let removedInterface = Self.base().nodes[3].interfaces.last!.name
        #expect(lines.contains("- interface n4/\(removedInterface)"))
        #expect(lines.count == 5, "only what changed: \(lines)")
    }

    @Test func aDefaultThatChangesShowsOnTheNetworkTypesThatUseIt() {
        var new = Self.base()
        new.tuning.defaultIP.interval = .milliseconds(200)
        let lines = ConfigDifference(from: Self.base(), to: new).changes.map(\.description)
        #expect(lines == ["~ tuning.heartbeat.ether.interval 150ms -> 200ms"])
    }

    // MARK: What groups do

    @Test func aGroupWhoseNodeListPutsAnotherNodeFirstMoves() {
        var new = Self.base()
        new.resourceGroups[0].nodes = ["n2", "n1"]
        let preview = Self.preview(new)
        let web = Self.outcome(preview, "web")
        #expect(web?.action == .move)
        #expect(web?.from == ["n1"] && web?.to == ["n2"])
        #expect(web?.reason.contains("cascading") == true)
        #expect(Self.outcome(preview, "db")?.action == .stay)
        #expect(preview.summary == "preview: version 3 -> 4: 1 groups move, 0 restart, 1 unchanged")
    }

    @Test func aRotatingGroupWhoseNodeStaysInItsListDoesNotMove() {
        var new = Self.base()
        new.resourceGroups[1].nodes = ["n3", "n2"]
        #expect(Self.outcome(Self.preview(new), "db")?.action == .stay, "rotating groups never fall back")
    }

    @Test func aGroupWhoseResourcesChangeRestartsWhereItIs() {
        var new = Self.base()
        new.serviceAddresses[0].address = IPv4Address("10.0.9.9")!
        let web = Self.outcome(Self.preview(new), "web")
        #expect(web?.action == .restart)
        #expect(web?.to == ["n1"])
        #expect(web?.reason == "service address svc1 changed")
    }

    @Test func addedGroupsStartAndRemovedGroupsStop() {
        var new = Self.base()
        new.resourceGroups.remove(at: 1)
        new.resourceGroups.append(ResourceGroup(name: "db2", policy: .cascading, nodes: ["n3"], serviceAddresses: ["svc2"]))
        let preview = Self.preview(new)
        #expect(Self.outcome(preview, "db2")?.action == .start)
        #expect(Self.outcome(preview, "db2")?.to == ["n3"])
        #expect(Self.outcome(preview, "db")?.action == .stop)
        #expect(Self.outcome(preview, "db")?.reason == "removed from the configuration")
        #expect(preview.summary == "preview: version 3 -> 4: 0 groups move, 0 restart, 1 unchanged, 1 start, 1 stop")
    }

    @Test func aRemovedNodeGivesUpItsGroupsAndAnAddedNodeTakesNoneUntilItJoins() {
        var new = Self.base()
        new.nodes.removeAll { $0.name == "n1" }
        new.resourceGroups[0].nodes = ["n2"]
        new.nodes.append(contentsOf: CoreFixture.nodes(["n5"], on: ["net1", "net2"]))
        new.resourceGroups[1].nodes = ["n5", "n2", "n3"]
        let preview = Self.preview(new)
        #expect(Self.outcome(preview, "web")?.action == .move)
        #expect(Self.outcome(preview, "web")?.to == ["n2"])
        #expect(Self.outcome(preview, "db")?.action == .stay, "n5 is not up: db stays where it is")
        #expect(preview.notes.contains { $0.contains("new node n5") })
    }

    @Test func withoutAViewOnlyTheDifferenceIsKnown() {
        var new = Self.base()
        new.resourceGroups[0].nodes = ["n2", "n1"]
        let preview = ReconfigurationPreview(from: Self.base(), to: new, state: nil, fromVersion: 1, toVersion: 2)
        #expect(preview.groups.isEmpty)
        #expect(preview.changes == ["~ group web: nodes n1,n2 -> n2,n1"])
        #expect(preview.notes == ["this node is in no view: where groups would run is not known"])
    }

    /// Over random changes of node lists and policies, the preview's target for every group is
    /// what placement computes on the carried-over state, and a non-concurrent group never gets
    /// two nodes.
    @Test func thePreviewAgreesWithPlacementOnRandomChanges() {
        var random = SplitMix64(seed: 7)
        for _ in 0..<500 {
            var new = Self.base()
            for index in new.resourceGroups.indices {
                new.resourceGroups[index].nodes = random.shuffled(random.subset(["n1", "n2", "n3", "n4"], percent: 60))
                if new.resourceGroups[index].nodes.isEmpty { new.resourceGroups[index].nodes = ["n4"] }
                new.resourceGroups[index].policy = random.pick([.cascading, .rotating])
            }
            let state = Self.running(Self.base())
            let preview = ReconfigurationPreview(from: Self.base(), to: new, state: state, fromVersion: 1, toVersion: 2)
            let placed = Placement.compute(config: new, state: state.adapted(from: Self.base(), to: new))
            for outcome in preview.groups {
                #expect(outcome.to == placed[outcome.group]?.nodes)
                #expect(outcome.to.count <= 1)
            }
        }
    }
}

extension ReconfigurationPreviewTests {
    @Test func aConcurrentGroupThatGainsANodeStartsThereAndRunsOnWhereItIs() {
        let concurrent = ResourceGroup(name: "cc", policy: .concurrent, nodes: ["n1", "n2"])
        let old = PlacementTests.config([concurrent])
        var gains = old
        gains.resourceGroups[0].nodes = ["n1", "n2", "n3"]
        let started = Self.outcome(Self.preview(gains, from: old), "cc")
        #expect(started?.action == .start)
        #expect(started?.description.hasPrefix("start    cc on n3 (stays on n1,n2): concurrent") == true)
        var loses = old
        loses.resourceGroups[0].nodes = ["n1"]
        let stopped = Self.outcome(Self.preview(loses, from: old), "cc")
        #expect(stopped?.action == .stop)
        #expect(stopped?.description.hasPrefix("stop     cc on n2 (stays on n1)") == true)
    }
}
