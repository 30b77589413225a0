import Testing
@testable import VigilModel

@Suite("tuning.hardware_watchdog: read, range-checked, written back, and in the takeover wait")
struct HardwareWatchdogTuningTests {
    static func withHardware(_ value: String, release: String = "100ms") -> String {
        Fixture.twoNodes + "tuning:\n  release_allowance: \(release)\n  hardware_watchdog: \(value)\n"
    }

    @Test("read as a duration; absent, none is configured")
    func read() throws {
        let (loaded, problems) = load(Self.withHardware("5s"))
        #expect(problems.isEmpty)
        #expect(loaded?.config.tuning.hardwareWatchdog == .seconds(5))
        #expect(load(Fixture.twoNodes).0?.config.tuning.hardwareWatchdog == nil)
        #expect(verify(Self.withHardware("5s")) == [])
    }

    @Test("a malformed or negative value is refused by the loader, naming the line and the field")
    func malformed() throws {
        let yaml = Self.withHardware("five")
        let (_, problems) = load(yaml)
        let problem = try #require(single(problems, containing: "tuning.hardware_watchdog must be a duration"))
        #expect(problem.location.file == "test.yaml" && problem.location.line == line(of: "hardware_watchdog", in: yaml))
        #expect(single(load(Self.withHardware("-5s")).1, containing: "tuning.hardware_watchdog is -5s") != nil)
        #expect(single(load(Self.withHardware("5")).1, containing: "without a unit") != nil)
    }

    @Test("verify: whole seconds from 1s to 1h, each error at the field's line")
    func range() throws {
        for (value, message) in [
            ("1500ms", "hardware_watchdog is 1.5s; it must be whole seconds"),
            ("0s", "hardware_watchdog is 0s; it must be from 1s to 3600s"),
            ("2h", "hardware_watchdog is 7200s; it must be from 1s to 3600s"),
        ] {
            let yaml = Self.withHardware(value)
            let found = try #require(single(verify(yaml), containing: message))
            #expect(found.severity == .error)
            #expect(found.location.line == line(of: "hardware_watchdog", in: yaml))
        }
        #expect(verify(Self.withHardware("1s")) == [] && verify(Self.withHardware("1h")) == [])
    }

    @Test("the takeover wait counts the hardware timeout instead of the release allowance when it is longer")
    func takeoverWait() throws {
        let config = try #require(load(Self.withHardware("5s")).0?.config)
        // The default dead man switch (450ms) and heartbeat (150ms), then the 5s reset.
        #expect(config.tuning.selfFenceAllowance == .seconds(5))
        #expect(config.takeoverWait == .milliseconds(5600))
        let times = DetectionTimes(config)
        #expect(times.hardwareWatchdog == .seconds(5) && times.takeoverWait == config.takeoverWait)
        #expect(times.takeoverWaitBehindCoordinator == .milliseconds(6050))
        // A release allowance longer than the hardware timeout stays the bound.
        let slow = try #require(load(Self.withHardware("1s", release: "2s")).0?.config)
        #expect(slow.takeoverWait == .milliseconds(2600))
        // Without a hardware watchdog nothing changes.
        #expect(ClusterConfig(name: "empty", id: 1).takeoverWait == .milliseconds(700))
    }

    @Test("written back and read again the same")
    func writtenBack() throws {
        let config = try #require(load(Self.withHardware("5s")).0?.config)
        let written = ConfigWriter.yaml(config)
        #expect(written.contains("  hardware_watchdog: 5s"))
        #expect(load(written).0?.config == config)
    }
}
