import Foundation
import Testing
@testable import VigilModel

/// Every number of a configuration is range-checked: a value too large for its field is an error
/// naming the field, never a trap, and nothing computed from the largest accepted values overflows.
@Suite("numbers: ranges, overflow, list sizes")
struct ConfigRangeTests {
    /// The loader's errors for `yaml`.
    func loadErrors(_ yaml: String) -> [Diagnostic] {
        let (loaded, problems) = load(yaml)
        #expect(loaded == nil, "expected the file to be refused")
        return problems.filter { $0.severity == .error }
    }

    func tuning(_ heartbeat: String, extra: String = "") -> String {
        Fixture.twoNodes + "tuning:\n  heartbeat:\n    ether: \(heartbeat)\n" + extra
    }

    @Test("a duration too large for its field is refused at its value", arguments: [
        "99999999999999999999s", "1e400s", "25h", "86401s", "1e30ms", "infs",
    ])
    func durationTooLarge(text: String) throws {
        let yaml = tuning("{interval: \(text), missed_beats: 4}")
        let problem = try #require(loadErrors(yaml).first)
        #expect(problem.message == "tuning.heartbeat.ether.interval is \(text), too long: a duration is at most 24h")
        #expect(problem.location.line == line(of: "interval:", in: yaml))
        #expect(problem.location.column == column(of: text, in: yaml))
    }

    @Test("a negative duration says so")
    func negativeDuration() throws {
        let problem = try #require(loadErrors(tuning("{interval: -1s, missed_beats: 4}")).first)
        #expect(problem.message
                == "tuning.heartbeat.ether.interval is -1s; a duration cannot be negative: write 0s or more")
    }

    @Test("a whole number too large for its field is refused, naming the field and its range", arguments: [
        ("missed_beats", "1e30", "from 2 to 1000"), ("missed_beats", "99999999999999999999", "from 2 to 1000"),
        ("missed_beats", "1001", "from 2 to 1000"), ("missed_beats", "-9223372036854775808", "from 2 to 1000"),
        ("missed_beats", "-1e400", "from 2 to 1000"),
    ])
    func wholeNumberTooLarge(key: String, text: String, range: String) throws {
        let yaml = tuning("{interval: 1s, \(key): \(text)}")
        let problem = try #require(loadErrors(yaml).first)
        #expect(problem.message == "tuning.heartbeat.ether.\(key) is \(text), out of range: it must be \(range)")
        #expect(problem.location.column == column(of: text, in: yaml))
    }

    @Test("retries, restart counts and the cluster id are range-checked too")
    func otherNumbers() throws {
        let hooks = Fixture.twoNodes + "hooks:\n  node_down: {recovery: {command: /bin/fix, retries: 1e30}}\n"
        #expect(loadErrors(hooks).first?.message
                == "hooks.node_down.recovery.retries is 1e30, out of range: it must be from 0 to 1000")
        let apps = Fixture.twoNodes + "applications:\n  - {name: app, start: x, stop: y, restart_count: 5000}\n"
        #expect(loadErrors(apps).first?.message
                == "applications[app].restart_count is 5000, out of range: it must be from 0 to 1000")
        let idTooLarge = Fixture.twoNodes.replacingOccurrences(of: "id: 7", with: "id: 2147483648")
        #expect(loadErrors(idTooLarge).first?.message
                == "cluster.id is 2147483648, out of range: it must be from 1 to 2147483647")
        let fraction = Fixture.twoNodes.replacingOccurrences(of: "id: 7", with: "id: 7.5")
        #expect(loadErrors(fraction).first?.message
                == "cluster.id must be a whole number from 1 to 2147483647, not '7.5'")
    }

    @Test("a cluster id below 1 is a verify error at the id", arguments: ["-1", "0"])
    func clusterIDBelowOne(text: String) throws {
        let yaml = Fixture.twoNodes.replacingOccurrences(of: "id: 7", with: "id: \(text)")
        let problem = try #require(single(verify(yaml), containing: "cluster id \(text) is out of range"))
        #expect(problem.message.contains("it must be from 1 to 2147483647"))
        #expect(problem.location.column == column(of: "id: \(text)", in: yaml) + 4)
    }

    @Test("the largest accepted values load and verify, and every derived time is exact")
    func largestAccepted() throws {
        let yaml = Fixture.twoNodes.replacingOccurrences(of: "id: 7", with: "id: 2147483647") + """
            tuning:
              heartbeat:
                ether: {interval: 24h, missed_beats: 1000}
                disk: {interval: 86400s, missed_beats: 1000}
              config_too_long: 24h
              dead_man_switch: 24h
              release_allowance: 1440m
            applications:
              - {name: app, start: x, stop: y, start_timeout: 24h, stop_timeout: 24h, monitor_timeout: 24h,
                 monitor_interval: 24h, restart_count: 1000}
            hooks:
              node_down: {timeout: 24h, recovery: {command: /bin/fix, retries: 1000}}
            """
        let (loaded, problems) = load(yaml)
        #expect(problems.isEmpty, "\(problems)")
        let config = try #require(loaded).config
        #expect(Verifier.verify(try #require(loaded)).filter { $0.severity == .error }.isEmpty)
        let times = DetectionTimes(config)
        let day = Duration.seconds(86_400)
        #expect(times.networks.map(\.detection) == [day * 1000, day * 1000])
        #expect(times.nodes.map(\.detection) == [day * 1000, day * 1000])
        #expect(times.takeoverWait == day * 3 && config.takeoverWait == day * 3)
        #expect(DetectionTimes.seconds(times.takeoverWait) == "259200s")
        #expect(DetectionTimes.seconds(times.nodes[0].detection) == "86400000s")
        #expect(DurationText.format(day * 1000) == "86400000s")
    }

    @Test("a list longer than its limit is refused without reading its entries")
    func listLimits() throws {
        let nodes = (0...ConfigLimits.maximumNodes.count).map { "  - {name: n\($0)}" }.joined(separator: "\n")
        let manyNodes = "cluster: {name: big, id: 1}\nnetworks: []\nnodes:\n\(nodes)\n"
        let problem = try #require(loadErrors(manyNodes).first)
        #expect(problem.message == "nodes has 256 entries; at most 255 are accepted "
                + "(a heartbeat lists its peers in one byte): remove some")
        #expect(problem.location.line == 4)
        let groups = (0...ConfigLimits.maximumResourceGroups.count).map {
            "  - {name: g\($0), policy: rotating, nodes: [a]}"
        }
        let manyGroups = Fixture.twoNodes + "resource_groups:\n" + groups.joined(separator: "\n") + "\n"
        let message = loadErrors(manyGroups).first?.message ?? ""
        #expect(message.hasPrefix("resource_groups has 1025 entries; at most 1024"))
    }

    /// An alias bomb: every level refers to the one below many times. Without list limits the
    /// loader would read 1000 × 1000 interfaces.
    @Test("aliases cannot multiply a file past the list limits")
    func aliasBomb() throws {
        let interfaces = (0..<1000).map { _ in "*i" }.joined(separator: ", ")
        let nodes = (0..<1000).map { _ in "*n" }.joined(separator: ", ")
        let yaml = """
            cluster: {name: bomb, id: 1}
            networks: [{name: ether, type: ether, netmask: 255.255.255.0}]
            x: &i {name: eth0, network: ether, address: 10.0.0.1}
            y: &n {name: a, interfaces: [\(interfaces)]}
            nodes: [\(nodes)]
            """
        let clock = ContinuousClock()
        let elapsed = clock.measure { _ = load(yaml) }
        #expect(elapsed < .seconds(5))
        #expect(loadErrors(yaml).contains { $0.message.hasPrefix("nodes has 1000 entries; at most 255") })
    }
}

@Suite("DurationText: never traps")
struct DurationTextRangeTests {
    @Test("too large, negative, without a unit, malformed", arguments: [
        ("99999999999999999999s", DurationText.Failure.tooLarge), ("1e400h", .tooLarge), ("9.3e15s", .tooLarge),
        ("-1s", .negative), ("-0.5ms", .negative), ("200", .noUnit), ("fast", .malformed), ("nans", .malformed),
        ("s", .malformed),
    ])
    func refused(text: String, failure: DurationText.Failure) {
        #expect(DurationText.read(text) == .failure(failure))
        #expect(DurationText.parse(text) == nil)
    }

    @Test("the largest duration parses; one unit more is too large")
    func largest() {
        #expect(DurationText.parse("4611686018427387904ms") == DurationText.largest)
        #expect(DurationText.read("4611686018427389000ms") == .failure(.tooLarge))
    }
}

@Suite("size: the largest configuration accepted")
struct ConfigSizeTests {
    /// 255 nodes with 64 interfaces each on 64 networks, 1,024 groups each listing every node and
    /// an application of its own: every list at its limit. Built in code rather than read: the
    /// loader's limits are tested above, and parsing 2.8 MB of YAML in a debug build takes seconds
    /// of CPU that the timing-sensitive process tests running beside it would feel.
    static func largest() -> ClusterConfig {
        let netmask = IPv4Address(0xFFFF_FF00)
        let networks = (0..<ConfigLimits.maximumInterfaces.count).map {
            Network(name: "net\($0)", type: "ether", kind: .ip(attribute: .public, netmask: netmask))
        }
        let nodes = (1...ConfigLimits.maximumNodes.count).map { node in
            Node(name: "n\(node)", interfaces: networks.indices.map { network in
                Interface(name: "eth\(network)", label: "n\(node)_\(network)", role: .boot,
                          address: IPv4Address(UInt32(10 << 24 | network << 16 | node)), network: "net\(network)")
            })
        }
        let groups = 0..<ConfigLimits.maximumResourceGroups.count
        return ClusterConfig(
            name: "largest", id: 1, networks: networks, nodes: nodes,
            applications: groups.map { Application(name: "app\($0)", start: "/bin/true", stop: "/bin/true") },
            resourceGroups: groups.map {
                ResourceGroup(name: "g\($0)", policy: .rotating, nodes: nodes.map(\.name), applications: ["app\($0)"])
            })
    }

    @Test("every list at its limit verifies in a few seconds")
    func largestVerifiesQuickly() throws {
        let config = Self.largest()
        let clock = ContinuousClock()
        var diagnostics: [Diagnostic] = []
        let elapsed = clock.measure {
            diagnostics = Verifier.verify(LoadedConfig(config: config, sourceMap: SourceMap(file: "largest.yaml")))
            _ = DetectionTimes(config)
        }
        #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(diagnostics.prefix(3))")
        #expect(elapsed < .seconds(20), "took \(elapsed)")
        print("largest configuration: verified in \(elapsed)")
    }
}
