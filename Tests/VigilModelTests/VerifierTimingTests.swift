import Testing
@testable import VigilModel

@Suite("verify: timing, timeouts and hooks")
struct VerifierTimingTests {
    @Test("a heartbeat interval of 0 and fewer than two missed beats")
    func heartbeat() throws {
        let yaml = Fixture.twoNodes + """
            tuning:
              heartbeat:
                ether: {interval: 0ms, missed_beats: 1}
                fddi: {interval: 1s, missed_beats: 4}
              config_too_long: 0s
            """
        let diagnostics = verify(yaml)
        let interval = try #require(single(diagnostics, containing: "heartbeat interval of network type ether must be more than 0"))
        #expect(interval.location.column == column(of: "0ms", in: yaml))
        let missed = try #require(single(diagnostics, containing: "missed_beats of network type ether is 1; it must be at least 2"))
        #expect(missed.location.column == column(of: "1}", onLineWith: "missed_beats: 1", in: yaml))
        let unused = try #require(single(diagnostics, containing: "no network has type fddi"))
        #expect(unused.severity == .warning)
        let tooLong = try #require(single(diagnostics, containing: "config_too_long must be more than 0"))
        #expect(tooLong.location.line == line(of: "config_too_long", in: yaml))
    }

    @Test("a recovery command with negative retries, a hook timeout of 0")
    func hooks() throws {
        let yaml = Fixture.twoNodes + """
            hooks:
              node_down:
                recovery: {command: /bin/fix, retries: -1}
                timeout: 0s
            """
        let diagnostics = verify(yaml)
        let retries = try #require(single(diagnostics, containing: "recovery retries of node_down is -1"))
        #expect(retries.location.line == line(of: "retries: -1", in: yaml))
        #expect(retries.location.column == column(of: "-1", in: yaml))
        #expect(single(diagnostics, containing: "hook timeout of node_down must be more than 0") != nil)
    }

    @Test("application timeouts are positive and restart counts not negative")
    func applications() throws {
        let yaml = Fixture.twoNodes + """
            applications:
              - {name: app, start: x, stop: y, monitor_interval: 0s, restart_count: -2}
            """
        let diagnostics = verify(yaml)
        #expect(single(diagnostics, containing: "monitor_interval of application app must be more than 0") != nil)
        #expect(single(diagnostics, containing: "restart_count of application app is -2") != nil)
    }

    @Test("diagnostics come sorted by position in the file")
    func sorted() {
        let yaml = Fixture.twoNodes.replacingOccurrences(of: "255.255.255.0", with: "255.0.255.0") + """
            tuning:
              heartbeat:
                ether: {interval: 0ms, missed_beats: 1}
            """
        let positions = verify(yaml).map { [$0.location.line, $0.location.column] }
        #expect(positions.count == 3)
        #expect(positions == positions.sorted { $0.lexicographicallyPrecedes($1) })
    }
}
