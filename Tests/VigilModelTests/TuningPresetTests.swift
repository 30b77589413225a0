import Testing
@testable import VigilModel

/// `tuning: {preset: ...}`: each preset's figures, settings written beside it overriding it one by
/// one, and a misspelt preset refused at its line.
@Suite struct TuningPresetTests {
    @Test("without a preset the tuning is the default one")
    func noPreset() throws {
        let (loaded, problems) = load(Fixture.twoNodes)
        #expect(problems.filter { $0.severity == .error }.isEmpty)
        let tuning = try #require(loaded).config.tuning
        #expect(tuning == TuningPreset.default.tuning)
        #expect(tuning.preset == .default)
    }

    @Test("preset fast: 40 ms heartbeats, 0.16 s detection, a 120 ms dead man switch, takeover after 0.2 s")
    func fast() throws {
        let (loaded, _) = load(Fixture.twoNodes + "tuning: {preset: fast}\n")
        let config = try #require(loaded).config
        let times = DetectionTimes(config)
        #expect(times.preset == .fast)
        #expect(times.networks.map(\.detection) == [.milliseconds(160), .milliseconds(160)])
        #expect(times.tripInterval == .milliseconds(120))
        #expect(times.takeoverWait == .milliseconds(200))
    }

    @Test("the shared disks are read every 50 ms, or every half disk heartbeat when that is shorter")
    func diskPolling() throws {
        let standard = try #require(load(Fixture.twoNodes).0).config
        #expect(standard.diskPollInterval == .milliseconds(50))
        let fast = try #require(load(Fixture.twoNodes + "tuning: {preset: fast}\n").0).config
        #expect(fast.diskPollInterval == .milliseconds(20))
        let wan = try #require(load(Fixture.twoNodes + "tuning: {preset: wan}\n").0).config
        #expect(wan.diskPollInterval == .milliseconds(50))
    }

    @Test("preset wan: 1 s heartbeats, 5 s detection, a 3 s dead man switch")
    func wan() throws {
        let (loaded, _) = load(Fixture.twoNodes + "tuning: {preset: wan}\n")
        let times = DetectionTimes(try #require(loaded).config)
        #expect(times.networks.map(\.detection) == [.seconds(5), .seconds(5)])
        #expect(times.tripInterval == .seconds(3))
        #expect(times.takeoverWait == .seconds(5))
    }

    @Test("settings written beside a preset override it, one by one")
    func overrides() throws {
        let yaml = Fixture.twoNodes + """
            tuning:
              preset: fast
              dead_man_switch: 300ms
              heartbeat:
                ether: {missed_beats: 6}

            """
        let (loaded, _) = load(yaml)
        let config = try #require(loaded).config
        let ether = config.heartbeat(for: try #require(config.network(named: "ether")))
        #expect(ether == HeartbeatSettings(interval: .milliseconds(40), missedBeats: 6))
        #expect(config.tuning.tripInterval == .milliseconds(300))
        #expect(config.tuning.releaseAllowance == .milliseconds(40))
        #expect(config.tuning.preset == .fast)
    }

    @Test("an unknown preset is an error at its line, listing the presets")
    func unknown() throws {
        let yaml = Fixture.twoNodes + "tuning: {preset: fats}\n"
        let (loaded, problems) = load(yaml)
        #expect(loaded == nil)
        let problem = try #require(problems.first { $0.message.contains("unknown value 'fats' for tuning.preset") })
        #expect(problem.location.line == line(of: "fats", in: yaml))
        #expect(problem.message.contains("fast, default, wan"))
    }
}
