import Foundation
import Testing
@testable import VigilModel

@Suite("ConfigLoader")
struct ConfigLoaderTests {
    @Test("a valid file becomes a ClusterConfig with defaults filled in")
    func readsConfig() throws {
        let (loaded, problems) = load(Fixture.twoNodes)
        #expect(problems.isEmpty)
        let config = try #require(loaded?.config)
        #expect(config.name == "test" && config.id == 7)
        #expect(config.networks.map(\.name) == ["ether", "dhb"])
        #expect(config.networks[0].kind == .ip(attribute: .public, netmask: IPv4Address("255.255.255.0")!))
        #expect(config.networks[1].kind == .disk(device: "/dev/sdb1"))
        let boot = config.nodes[0].interfaces[0]
        #expect(boot.role == .boot && boot.address == IPv4Address("10.0.0.1") && boot.label == "a_boot")
        #expect(config.tuning == Tuning())
    }

    @Test("every field's location is recorded under its path")
    func recordsLocations() throws {
        let (loaded, _) = load(Fixture.twoNodes)
        let map = try #require(loaded?.sourceMap)
        let text = Fixture.twoNodes
        let address = map.location(of: "nodes[b].interfaces[0].address")
        #expect(address.line == line(of: "10.0.0.2", in: text))
        #expect(address.column == column(of: "10.0.0.2", in: text))
        #expect(address.file == "test.yaml")
        #expect(map.location(of: "networks[ether].netmask").column == column(of: "255.255.255.0", in: text))
        #expect(map.location(of: "nodes[b]").line == line(of: "name: b", in: text))
        #expect(map.location(of: "cluster.id").line == 1)
        // An unrecorded path falls back to its nearest recorded parent.
        #expect(map.location(of: "nodes[b].interfaces[0].nonsense") == map.location(of: "nodes[b].interfaces[0]"))
    }

    @Test("group lists record each element, and dotted names stay whole in paths")
    func recordsListElements() throws {
        let yaml = Fixture.twoNodes + """
            volume_groups:
              - {name: sharedvg.01}
            resource_groups:
              - name: SH2
                policy: cascading
                nodes: [a, b]
                volume_groups: [sharedvg.01]
            """
        let (loaded, problems) = load(yaml)
        #expect(problems.isEmpty)
        let map = try #require(loaded?.sourceMap)
        let second = map.location(of: "resource_groups[SH2].nodes[1]")
        #expect(second.line == line(of: "nodes: [a, b]", in: yaml))
        #expect(second.column == column(of: "b]", in: yaml))
        #expect(map.location(of: "volume_groups[sharedvg.01].name").line == line(of: "{name: sharedvg.01}", in: yaml))
        #expect(map.location(of: "volume_groups[sharedvg.01].concurrent").line == line(of: "{name: sharedvg.01}", in: yaml))
    }

    @Test("an unknown key is an error at the key, naming it and listing the allowed keys")
    func unknownKey() throws {
        let yaml = Fixture.twoNodes.replacingOccurrences(of: "address: 10.0.0.2", with: "adress: 10.0.0.2")
        let (loaded, problems) = load(yaml)
        #expect(loaded == nil)
        let problem = try #require(single(problems, containing: "unknown key 'adress'"))
        #expect(problem.severity == .error)
        #expect(problem.location.line == line(of: "adress", in: yaml))
        #expect(problem.location.column == column(of: "adress", in: yaml))
        #expect(problem.message.contains("nodes[b].interfaces[0]"))
        #expect(problem.message.contains("did you mean 'address'?"))
        #expect(problem.message.contains("allowed keys: name, label, role, address, device, network"))
    }

    @Test("a YAML syntax error gives libyaml's line and column")
    func syntaxError() throws {
        let yaml = "cluster: {name: test, id: 7}\nnetworks: [\n  - a\nnodes: []\n"
        let (loaded, problems) = load(yaml)
        #expect(loaded == nil)
        let problem = try #require(problems.first)
        #expect(problems.count == 1)
        #expect(problem.message.hasPrefix("YAML syntax error"))
        #expect(problem.location.line == 3)
        #expect(problem.location.file == "test.yaml")
    }

    @Test("a duplicated key is reported at its first occurrence")
    func duplicateKey() throws {
        let yaml = "cluster: {name: test, id: 7}\ncluster: {name: again, id: 8}\nnetworks: []\nnodes: []\n"
        let (_, problems) = load(yaml)
        let problem = try #require(single(problems, containing: "'cluster' appears twice"))
        #expect(problem.location.line == 1)
    }

    @Test("a duration without a unit is refused, suggesting units")
    func durationWithoutUnit() throws {
        let yaml = Fixture.twoNodes + """
            tuning:
              heartbeat:
                ether: {interval: 200, missed_beats: 4}
            """
        let (loaded, problems) = load(yaml)
        #expect(loaded == nil)
        let problem = try #require(single(problems, containing: "without a unit"))
        #expect(problem.message.contains("tuning.heartbeat.ether.interval"))
        #expect(problem.message.contains("200ms or 200s"))
        #expect(problem.location.line == line(of: "interval: 200", in: yaml))
        #expect(problem.location.column == column(of: "200,", in: yaml))
    }

    @Test("reading goes on after an error and reports every problem, in file order")
    func reportsAll() throws {
        let yaml = """
            cluster: {name: test, id: seven}
            networks:
              - {name: ether, type: ether, netmask: 255.255.255.300}
              - {name: dhb, type: disk}
            nodes:
              - name: a
                interfaces:
                  - {name: eth0, role: primary, address: 10.0.0.1, network: ether}
                  - {label: nameless, network: ether}
            resource_groups:
              - {name: G, policy: cascade, nodes: a}
            hooks:
              node_crash: {pre: [x]}
            """
        let (loaded, problems) = load(yaml)
        #expect(loaded == nil)
        let expected: [(String, String)] = [
            ("cluster.id must be a whole number from 1 to 2147483647, not 'seven'", "seven"),
            ("networks[ether].netmask must be an IPv4 address", "255.255.255.300"),
            ("networks[dhb] is a disk heartbeat network and needs the shared device", "{name: dhb"),
            ("unknown value 'primary' for nodes[a].interfaces[0].role", "primary"),
            ("nodes[a].interfaces[1] has no 'name'", "{label: nameless"),
            ("unknown value 'cascade' for resource_groups[G].policy (did you mean 'cascading'?)", "cascade"),
            ("resource_groups[G].nodes must be a list", "a}"),
            ("unknown value 'node_crash' for the event name in hooks", "node_crash"),
        ]
        #expect(problems.count == expected.count, "\(problems)")
        for ((message, at), problem) in zip(expected, problems) {
            #expect(problem.message.contains(message), "\(problem.message)")
            #expect(problem.location.line == line(of: at, in: yaml), "\(problem)")
            #expect(problem.location.column == column(of: at, in: yaml), "\(problem)")
        }
    }

    @Test("missing required top-level fields and a wrong top-level shape")
    func missingRequired() throws {
        let (_, problems) = load("cluster: {name: test}\n")
        let messages = problems.map(\.message)
        #expect(messages.contains { $0.contains("cluster has no 'id'") })
        #expect(messages.contains { $0.contains("the file has no 'networks'") })
        #expect(messages.contains { $0.contains("the file has no 'nodes'") })
        let (_, listProblems) = load("- a\n- b\n")
        #expect(listProblems.first?.message.hasPrefix("the file must be a mapping") == true)
        let (_, emptyProblems) = load("")
        #expect(emptyProblems.first?.message.contains("the file is empty") == true)
    }

    @Test("fields that do not apply to a network's kind are refused")
    func kindSpecificFields() throws {
        let (_, problems) = load("""
            cluster: {name: test, id: 7}
            networks:
              - {name: rs, type: rs232, netmask: 255.255.255.0}
              - {name: ip, type: ether}
            nodes: []
            """)
        #expect(problems.map(\.message).contains { $0.contains("networks[rs].netmask does not apply to a serial network") })
        #expect(problems.map(\.message).contains { $0.contains("networks[ip] is an IP network (type ether) and needs a netmask") })
    }

    @Test("hooks, tuning, applications, storage and groups are read with their defaults")
    func readsEverything() throws {
        let yaml = Fixture.twoNodes + """
            tuning:
              heartbeat:
                ether: {interval: 1.5s}
              config_too_long: 2m
            applications:
              - {name: app, start: /bin/start, stop: /bin/stop, monitor_interval: 5s, restart_count: 1}
            volume_groups:
              - {name: vg, concurrent: true}
            filesystems:
              - {mount_point: /data, device: /dev/vg/lv, volume_group: vg, recovery: parallel}
            nfs_exports:
              - {path: /data}
            resource_groups:
              - {name: G, policy: rotating, nodes: [b, a], applications: [app], inactive_takeover: true, filesystems_before_addresses: false}
            hooks:
              node_down:
                pre: ["/bin/pre one", /bin/pre2]
                recovery: {command: /bin/fix, retries: 2}
                timeout: 30s
            """
        let (loaded, problems) = load(yaml)
        #expect(problems.isEmpty, "\(problems)")
        let config = try #require(loaded?.config)
        #expect(config.tuning.heartbeats["ether"] == HeartbeatSettings(interval: .milliseconds(1500), missedBeats: 4))
        #expect(config.tuning.configTooLong == .seconds(120))
        #expect(config.applications == [Application(name: "app", start: "/bin/start", stop: "/bin/stop", monitorInterval: .seconds(5), restartCount: 1)])
        #expect(config.volumeGroups == [VolumeGroup(name: "vg", concurrent: true)])
        #expect(config.filesystems == [Filesystem(mountPoint: "/data", device: "/dev/vg/lv", volumeGroup: "vg", recovery: .parallel)])
        #expect(config.nfsExports == [NFSExport(path: "/data")])
        #expect(config.resourceGroups == [ResourceGroup(name: "G", policy: .rotating, nodes: ["b", "a"], applications: ["app"], inactiveTakeover: true, filesystemsBeforeAddresses: false)])
        #expect(config.hooks == [.nodeDown: EventHooks(pre: ["/bin/pre one", "/bin/pre2"], recovery: RecoveryHook(command: "/bin/fix", retries: 2), timeout: .seconds(30))])
    }

    @Test("an interface's label defaults to node_adapter and its role to boot; rs232 and serial are serial")
    func interfaceDefaults() throws {
        let (loaded, problems) = load("""
            cluster: {name: test, id: 7}
            networks:
              - {name: ether, type: ether, netmask: 255.255.255.0}
              - {name: s1, type: serial}
            nodes:
              - name: a
                fence: "ipmitool -H a-bmc power off"
                interfaces:
                  - {name: eth0, address: 10.0.0.1, network: ether}
            """)
        #expect(problems.isEmpty)
        let node = try #require(loaded?.config.nodes.first)
        #expect(node.interfaces[0].label == "a_eth0" && node.interfaces[0].role == .boot)
        #expect(node.fenceCommand == "ipmitool -H a-bmc power off")
        #expect(loaded?.config.networks[1].kind == .serial)
    }

    @Test("load(contentsOf:) throws ConfigLoadError listing the diagnostics")
    func loadFile() throws {
        let missing = "/nonexistent/vigil.yaml"
        #expect {
            try ConfigLoader.load(contentsOf: missing)
        } throws: { error in
            guard let error = error as? ConfigLoadError else { return false }
            return error.diagnostics.count == 1 && error.description.hasPrefix("\(missing):1:1: error: cannot read")
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-loader-\(UUID()).yaml").path
        try "cluster: {name: x, id: 1}\nnetworks: []\nnodes: []\nbogus: 1\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try ConfigLoader.load(contentsOf: path)
        } throws: { error in
            "\(error)".hasPrefix("\(path):4:1: error: unknown key 'bogus' in the file")
        }
        let good = try ConfigLoader.load(contentsOf: Fixture.example("scream.yaml"))
        #expect(good.config.name == "scream")
    }

    @Test("SourceMap cuts paths at their last component, never inside brackets")
    func sourceMapParents() {
        #expect(SourceMap.parent(of: "a.b[c.d].e") == "a.b[c.d]")
        #expect(SourceMap.parent(of: "a.b[c.d]") == "a.b")
        #expect(SourceMap.parent(of: "filesystems[/x.1/lv.2]") == "filesystems")
        #expect(SourceMap.parent(of: "a") == nil)
        #expect(SourcePath.entryKeys(["a", "b", "a", nil, ""]) == ["a", "b", "2", "3", "4"])
    }
}
