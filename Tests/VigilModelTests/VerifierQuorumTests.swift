import Testing
@testable import VigilModel

@Suite("verify: quorum, tiebreaker and dead man switch")
struct VerifierQuorumTests {
    /// `Fixture.twoNodes` (a and b, both on disk network dhb) with its quorum line replaced.
    static func twoNodes(quorum: String) -> String {
        Fixture.twoNodes.replacingOccurrences(of: "quorum: {policy: disk, tiebreaker: dhb}\n", with: quorum)
    }

    /// Four nodes on ether: a and b on the disk network dhb, c and d on a serial link rs.
    static func fourNodes(quorum: String) -> String {
        Fixture.twoNodes(addingNodes: """
              - name: c
                interfaces:
                  - {name: eth0, label: c_boot, address: 10.0.0.3, network: ether}
                  - {name: tty0, label: c_tty, network: rs, device: /dev/ttyS0}
              - name: d
                interfaces:
                  - {name: tty0, label: d_tty, network: rs, device: /dev/ttyS0}
                  - {name: eth0, label: d_boot, address: 10.0.0.4, network: ether}

            """)
            .replacingOccurrences(of: "  - {name: dhb, type: disk, device: /dev/sdb1}\n",
                                  with: "  - {name: dhb, type: disk, device: /dev/sdb1}\n  - {name: rs, type: rs232}\n")
            .replacingOccurrences(of: "quorum: {policy: disk, tiebreaker: dhb}\n", with: quorum)
    }

    @Test("the fixture's disk tiebreaker on both nodes verifies clean")
    func diskClean() {
        #expect(verify(Fixture.twoNodes) == [])
    }

    @Test("policy none is a warning at the policy: a partition can give a group two owners")
    func none() throws {
        let yaml = Self.twoNodes(quorum: "quorum: {policy: none}\n")
        let diagnostics = verify(yaml)
        #expect(diagnostics.count == 1)
        let warning = try #require(single(diagnostics, containing: "quorum policy none lets every side of a partition carry on"))
        #expect(warning.severity == .warning)
        #expect(warning.message.contains("two owners") && warning.message.contains("use policy: majority"))
        #expect(warning.location.line == line(of: "policy: none", in: yaml))
        #expect(warning.location.column == column(of: "none", in: yaml))
    }

    @Test("policy disk without a tiebreaker is an error listing the disk networks")
    func diskWithoutTiebreaker() throws {
        let yaml = Self.twoNodes(quorum: "quorum: {policy: disk}\n")
        let error = try #require(single(verify(yaml), containing: "quorum policy disk needs a tiebreaker"))
        #expect(error.severity == .error)
        #expect(error.message.contains("add tiebreaker: dhb") && error.message.contains("disk networks: dhb"))
        #expect(error.location.line == line(of: "policy: disk", in: yaml))
        #expect(error.location.column == column(of: "disk}", in: yaml))
    }

    @Test("a tiebreaker that is not a defined network, or not a disk network, is an error at the tiebreaker")
    func tiebreakerNotDisk() throws {
        let undefined = Self.twoNodes(quorum: "quorum: {policy: disk, tiebreaker: dhb1}\n")
        let missing = try #require(single(verify(undefined), containing: "tiebreaker dhb1 is not a defined network"))
        #expect(missing.severity == .error)
        #expect(missing.message.contains("(did you mean 'dhb'?)") && missing.message.contains("network of type disk: dhb"))
        #expect(missing.location.column == column(of: "dhb1", in: undefined))
        let ip = Self.twoNodes(quorum: "quorum: {policy: disk, tiebreaker: ether}\n")
        let notDisk = try #require(single(verify(ip), containing: "tiebreaker ether is an IP network, not a disk heartbeat network"))
        #expect(notDisk.severity == .error)
        #expect(notDisk.location.line == line(of: "tiebreaker: ether", in: ip))
        #expect(notDisk.location.column == column(of: "ether}", onLineWith: "tiebreaker", in: ip))
    }

    @Test("a tiebreaker disk that some node is not attached to is an error naming the nodes")
    func tiebreakerNotOnEveryNode() throws {
        let yaml = Self.fourNodes(quorum: "quorum: {policy: disk, tiebreaker: dhb}\n")
        let diagnostics = verify(yaml)
        let error = try #require(single(diagnostics, containing: "tiebreaker disk dhb is not attached to c, d"))
        #expect(error.severity == .error)
        #expect(error.message.contains("add an interface on dhb to each of them"))
        #expect(error.location.line == line(of: "tiebreaker: dhb", in: yaml))
        #expect(diagnostics.filter { $0.severity == .error }.count == 1)
    }

    @Test("a tiebreaker with another policy is ignored, with a warning at the tiebreaker")
    func tiebreakerIgnored() throws {
        let yaml = Self.fourNodes(quorum: "quorum: {policy: majority, tiebreaker: dhb}\n")
        let diagnostics = verify(yaml)
        #expect(diagnostics.count == 1)
        let warning = try #require(single(diagnostics, containing: "tiebreaker dhb is ignored with quorum policy majority"))
        #expect(warning.severity == .warning)
        #expect(warning.message.contains("remove it, or use policy: disk"))
        #expect(warning.location.column == column(of: "dhb}", onLineWith: "tiebreaker", in: yaml))
    }

    @Test("two nodes with policy majority: a warning at the policy, or at the nodes when it is the default")
    func twoNodeMajority() throws {
        let written = Self.twoNodes(quorum: "quorum: {policy: majority}\n")
        let explicit = try #require(single(verify(written), containing: "quorum policy majority in a two-node cluster"))
        #expect(explicit.severity == .warning)
        #expect(explicit.message.contains("a single node is never a majority, so either node failing stops every group"))
        #expect(explicit.message.contains("use policy: disk with tiebreaker"))
        #expect(explicit.location.line == line(of: "policy: majority", in: written))
        let absent = Self.twoNodes(quorum: "")
        let byDefault = try #require(single(verify(absent), containing: "quorum policy majority (the default) in a two-node cluster"))
        #expect(byDefault.location.line == line(of: "nodes:", in: absent))
        #expect(verify(Self.fourNodes(quorum: "quorum: {policy: majority}\n")) == [])
        #expect(verify(Self.fourNodes(quorum: "")) == [])
    }

    @Test("dead_man_switch and release_allowance must be more than 0")
    func nonPositive() throws {
        let yaml = Fixture.twoNodes + """
            tuning:
              dead_man_switch: 0ms
              release_allowance: 0s
            """
        let diagnostics = verify(yaml)
        #expect(diagnostics.count == 2)
        let trip = try #require(single(diagnostics, containing: "dead_man_switch must be more than 0, e.g. 600ms"))
        #expect(trip.severity == .error)
        #expect(trip.location.line == line(of: "dead_man_switch", in: yaml))
        #expect(trip.location.column == column(of: "0ms", in: yaml))
        let allowance = try #require(single(diagnostics, containing: "release_allowance must be more than 0, e.g. 200ms"))
        #expect(allowance.severity == .error)
        #expect(allowance.location.line == line(of: "release_allowance", in: yaml))
    }

    @Test("a dead man switch shorter than two IP heartbeat intervals is a warning")
    func tripBelowTwoHeartbeats() throws {
        let yaml = Fixture.twoNodes + """
            tuning:
              dead_man_switch: 250ms
            """
        let warning = try #require(single(verify(yaml), containing: "dead_man_switch 250ms is less than twice the largest IP heartbeat interval (150ms)"))
        #expect(warning.severity == .warning)
        #expect(warning.message.contains("after one lost heartbeat; raise it to at least 300ms"))
        #expect(warning.location.line == line(of: "dead_man_switch", in: yaml))
        #expect(verify(Fixture.twoNodes + "tuning:\n  dead_man_switch: 300ms\n") == [])
        // The default 450ms against a slow heartbeat: the warning points at the tuning section.
        let slow = Fixture.twoNodes + "tuning:\n  heartbeat:\n    ether: {interval: 500ms}\n"
        let defaulted = try #require(single(verify(slow), containing: "dead_man_switch 450ms is less than twice"))
        #expect(defaulted.message.contains("(500ms)") && defaulted.message.contains("at least 1s"))
        #expect(defaulted.location.line == line(of: "tuning:", in: slow))
    }

    @Test("takeoverWait is the trip interval, the largest IP heartbeat interval and the release allowance")
    func takeoverWait() throws {
        let yaml = Fixture.twoNodes + """
            tuning:
              heartbeat:
                ether: {interval: 300ms}
                disk: {interval: 2s}
              dead_man_switch: 1s
              release_allowance: 250ms
            """
        let (loaded, problems) = load(yaml)
        #expect(problems.isEmpty)
        let config = try #require(loaded?.config)
        #expect(config.largestIPHeartbeatInterval == .milliseconds(300))
        #expect(config.takeoverWait == .milliseconds(1550))
        let times = DetectionTimes(config)
        #expect(times.tripInterval == .seconds(1) && times.largestIPInterval == .milliseconds(300))
        #expect(times.releaseAllowance == .milliseconds(250) && times.takeoverWait == config.takeoverWait)
        #expect(ClusterConfig(name: "empty", id: 1).takeoverWait == .milliseconds(700))
    }
}
