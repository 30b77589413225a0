import Testing
@testable import VigilModel

/// Names that reach a command line, a file name, a path or a device have a form Linux accepts there.
/// For each rule: a name it accepts, and several it refuses, each at the field, saying how to fix it.
@Suite("verify: the form of names, paths and commands")
struct VerifierNameFormTests {
    /// The fixture with `old` replaced by `new` (a YAML scalar, quoted where needed).
    func fixture(_ old: String, _ new: String, adding extra: String = "") -> String {
        precondition(Fixture.twoNodes.contains(old), "\(old) is not in the fixture")
        return Fixture.twoNodes.replacingOccurrences(of: old, with: new) + extra
    }

    /// The one error whose message contains `text`; it must be on the line holding `anchor`.
    func refused(
        _ yaml: String, _ text: String, on anchor: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        let found = verify(yaml, sourceLocation: sourceLocation).filter {
            $0.severity == .error && $0.message.contains(text)
        }
        #expect(found.count == 1, "expected one error containing '\(text)' in \(verify(yaml))",
                sourceLocation: sourceLocation)
        if let first = found.first {
            #expect(first.location.line == line(of: anchor, in: yaml), "\(first)", sourceLocation: sourceLocation)
        }
    }

    func errors(_ yaml: String) -> [Diagnostic] { verify(yaml).filter { $0.severity == .error } }

    // MARK: Identifiers

    @Test("identifiers: letters, digits, _ - . starting with a letter or digit, up to 64 bytes", arguments: [
        "ghost1", "Application_1", "ghost-1.example.com", "0db", String(repeating: "n", count: 64),
    ])
    func identifierAccepted(name: String) {
        #expect(NameRules.identifierProblem(name) == nil)
        #expect(errors(fixture("- name: a\n", "- name: \"\(name)\"\n")).isEmpty)
    }

    @Test("a node name that is not an identifier is refused at the name, with the rule and a fix", arguments: [
        (#"a/b"#, "contains '/'", "a_b"), (#"-a"#, "starts with '-'", "a"), (#".."#, "starts with '.'", "node1"),
        (#""#, "is empty", "node1"), (#"a b"#, "contains a space", "a_b"), (#"a\tb"#, #"contains '\t'"#, "a_b"),
        (#"\u00e9t\u00e9"#, "contains U+00E9 'é'", "t_"),
        (String(repeating: "n", count: 65), "is 65 bytes long (at most 64)", String(repeating: "n", count: 64)),
    ])
    func nodeNameRefused(name: String, problem: String, suggestion: String) {
        let yaml = fixture("- name: a\n", "- name: \"\(name)\"\n")
        refused(yaml, "node name", on: "- name: \"")
        let message = errors(yaml).first { $0.message.hasPrefix("node name") }?.message ?? ""
        #expect(message.contains(problem), "\(message)")
        #expect(message.contains("letters, digits, '_', '-' and '.', starting with a letter or digit"))
        #expect(message.hasSuffix("rename it, e.g. \(suggestion)"), "\(message)")
    }

    @Test("cluster, network, group, application and label names follow the identifier rule")
    func otherIdentifiers() {
        let cluster = fixture("{name: test, id: 7}", "{name: \"my cluster\", id: 7}")
        refused(cluster, "cluster name 'my cluster' contains a space", on: "cluster:")
        let network = fixture("- {name: ether, type: ether", "- {name: \"eth/er\", type: ether")
            .replacingOccurrences(of: "network: ether}", with: "network: \"eth/er\"}")
        refused(network, "network name 'eth/er' contains '/'", on: "{name: \"eth/er\"")
        refused(fixture("label: a_boot", "label: \"-a_boot\""), "label '-a_boot' starts with '-'", on: "-a_boot")
        let resources = """
            applications:
              - {name: "../app", start: /bin/true, stop: /bin/true}
            resource_groups:
              - {name: "G 1", policy: rotating, nodes: [a, b], applications: ["../app"]}
            """
        refused(Fixture.twoNodes + resources, "application name '../app' contains '/'", on: "{name: \"../app\"")
        refused(Fixture.twoNodes + resources, "resource group name 'G 1' contains a space", on: "{name: \"G 1\"")
    }

    @Test("a default label longer than 64 bytes is refused at its interface, saying it is the default")
    func defaultLabel() {
        let long = String(repeating: "n", count: 60)
        let yaml = fixture("- name: a\n", "- name: \(long)\n").replacingOccurrences(of: "label: a_boot, ", with: "")
        refused(yaml, "label '\(long.prefix(40))...' (the default NODE_ADAPTER) is 65 bytes long", on: "10.0.0.1")
    }

    // MARK: Interface names

    @Test("interface names: up to 15 bytes, not . or .., without / : or whitespace", arguments: [
        "eth0", "eth0.100", "veth-ghost1_a", "abcdefghijklmno",
    ])
    func interfaceAccepted(name: String) {
        #expect(NameRules.interfaceNameProblem(name) == nil)
        #expect(errors(fixture("{name: eth0, label: a_boot", "{name: \"\(name)\", label: a_boot")).isEmpty)
    }

    @Test("an interface name Linux refuses is an error at the adapter name", arguments: [
        ("abcdefghijklmnop", "is 16 bytes long (at most 15)"), ("eth0:1", "contains ':'"), ("a/b", "contains '/'"),
        (".", "is '.'"), ("..", "is '..'"), ("eth 0", "contains a space"), ("", "is empty"),
        (#"eth\n0"#, #"contains '\n'"#),
    ])
    func interfaceRefused(name: String, problem: String) {
        let yaml = fixture("{name: eth0, label: a_boot", "{name: \"\(name)\", label: a_boot")
        refused(yaml, "adapter name", on: "a_boot")
        let message = errors(yaml).first { $0.message.hasPrefix("adapter name") }?.message ?? ""
        #expect(message.contains("of node 'a' \(problem)"), "\(message)")
        #expect(message.hasSuffix("use the name `ip link` shows, e.g. eth0"))
    }

    // MARK: Volume groups

    @Test("volume group names: LVM's characters, not starting with -, not . or ..", arguments: [
        "sharedvg.01", "vg+data_1-x", String(repeating: "v", count: 127),
    ])
    func volumeGroupAccepted(name: String) {
        #expect(NameRules.volumeGroupNameProblem(name) == nil)
        #expect(errors(Fixture.twoNodes + "volume_groups:\n  - {name: \"\(name)\"}\n").isEmpty)
    }

    @Test("a volume group name LVM refuses is an error at the name", arguments: [
        ("-vg", "starts with '-'"), (".", "is '.'"), ("..", "is '..'"), ("vg/1", "contains '/'"),
        ("vg 1", "contains a space"),
        (String(repeating: "v", count: 128), "is 128 bytes long (at most 127)"), ("vg\\u00e9", "contains U+00E9 'é'"),
    ])
    func volumeGroupRefused(name: String, problem: String) {
        let yaml = Fixture.twoNodes + "volume_groups:\n  - {name: \"\(name)\"}\n"
        refused(yaml, "volume group name", on: "{name: \"")
        let message = errors(yaml).first?.message ?? ""
        #expect(message.contains(problem), "\(message)")
        #expect(message.hasSuffix("use the name `vgs` shows, e.g. sharedvg.01"))
    }

    // MARK: Paths

    @Test("mount points, devices and export paths are absolute, without NUL or newline")
    func paths() {
        let good = """
            filesystems:
              - {mount_point: /srv/db, device: /dev/dbvg/db}
            nfs_exports:
              - {path: /srv/db, clients: "192.0.2.0/24", options: "rw,sync"}
            """
        #expect(errors(Fixture.twoNodes + good).isEmpty)
        #expect(NameRules.absolutePathProblem("/srv/db") == nil)
        let bad = """
            filesystems:
              - {mount_point: srv/db, device: "/dev/db\\0vg"}
              - {mount_point: "/srv/a\\nb", device: /dev/x}
            nfs_exports:
              - {path: exports/db}
            """
        let yaml = Fixture.twoNodes + bad
        let anchor = "mount_point: srv/db"
        refused(yaml, "mount point 'srv/db' is not an absolute path (it must start with '/')", on: anchor)
        refused(yaml, "device of filesystem 'srv/db' '/dev/db\\0vg' contains a NUL character", on: anchor)
        refused(yaml, "mount point '/srv/a\\nb' contains '\\n'", on: "/srv/a")
        refused(yaml, "NFS export path 'exports/db' is not an absolute path", on: "exports/db")
        #expect(errors(yaml).allSatisfy { !$0.message.contains("\n") }, "a message stays on one line")
        let long = "/" + String(repeating: "p", count: 4095)
        #expect(NameRules.absolutePathProblem(long) == "is 4096 bytes long (at most 4095)")
    }

    @Test("disk heartbeat and serial devices are absolute paths")
    func devices() {
        let disk = fixture("device: /dev/sdb1", "device: sdb1")
        refused(disk, "device of disk network 'dhb' 'sdb1' is not an absolute path", on: "device: sdb1")
        let hb = "{name: hb, label: a_hb, network: dhb"
        let interface = fixture(hb + "}", hb + ", device: dev/hb}")
        refused(interface, "device of interface 'a_hb' 'dev/hb' is not an absolute path", on: "dev/hb")
    }

    // MARK: Commands and the words of mount and exportfs

    @Test("commands are not empty and hold no NUL")
    func commands() {
        #expect(NameRules.commandProblem("/usr/local/bin/app1 start\nlogger started") == nil)
        let yaml = fixture("  - name: b\n", "  - name: b\n    fence: \"ipmitool\\0 power off\"\n") + """
            applications:
              - {name: app, start: "", stop: "  ", monitor: "check\\0"}
            hooks:
              node_down: {pre: [/bin/true, ""], recovery: {command: "fix\\0", retries: 1}}
            """
        refused(yaml, "fence command of node 'b' contains a NUL character; remove the NUL character", on: "fence:")
        refused(yaml, "start command of application 'app' is empty; write the command to run", on: "{name: app")
        refused(yaml, "stop command of application 'app' is empty", on: "{name: app")
        refused(yaml, "monitor command of application 'app' contains a NUL character", on: "{name: app")
        refused(yaml, "pre hook 2 of node_down is empty", on: "node_down:")
        refused(yaml, "recovery command of node_down contains a NUL character", on: "node_down:")
    }

    @Test("a filesystem type and an export's clients and options are single words")
    func words() {
        #expect(NameRules.filesystemTypeProblem("fuse.sshfs") == nil)
        let yaml = Fixture.twoNodes + """
            filesystems:
              - {mount_point: /srv/db, device: /dev/db, type: "ext 4"}
            nfs_exports:
              - {path: /srv/db, clients: "a b", options: "rw, sync"}
              - {path: /srv/other, clients: "-o", options: ""}
            """
        refused(yaml, "type 'ext 4' of filesystem '/srv/db' contains a space", on: "ext 4")
        refused(yaml, "clients 'a b' of NFS export '/srv/db' contains a space", on: "a b")
        refused(yaml, "options 'rw, sync' of NFS export '/srv/db' contains a space", on: "a b")
        refused(yaml, "clients '-o' of NFS export '/srv/other' starts with '-'", on: "-o")
        refused(yaml, "options '' of NFS export '/srv/other' is empty", on: "-o")
    }

    @Test("every example file verifies without a name error")
    func examples() throws {
        let names = [
            "scream.yaml", "spscream.yaml", "pair.yaml", "scream-local.yaml", "scream-testbed.yaml", "bench.yaml",
            "sixteen.yaml",
        ]
        for name in names {
            let loaded = try ConfigLoader.load(contentsOf: Fixture.example(name))
            #expect(Verifier.verify(loaded).filter { $0.severity == .error }.isEmpty, "\(name)")
        }
    }
}
