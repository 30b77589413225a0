import Foundation
import Testing
import VigilConvert
import VigilModel

@Suite("vigil convert --from keepalived")
struct KeepalivedTests {
    /// A plain VRRP pair over unicast: alpha (priority 150) and beta (100), one instance with two
    /// addresses tracking nginx, one that does not preempt.
    static func pairFile(source: String, peer: String, priority: Int, name: String) -> String {
        """
        ! keepalived.conf of \(name)
        global_defs {
            router_id \(name)
            notification_email { ops@example.com }
        }
        vrrp_script chk_nginx {
            script "/usr/bin/pgrep -x nginx"
            interval 2
            timeout 1
            fall 2
        }
        vrrp_instance web {
            state BACKUP
            interface eth0
            virtual_router_id 51
            priority \(priority)
            advert_int 1
            unicast_src_ip \(source)
            unicast_peer {
                \(peer)
            }
            authentication {
                auth_type PASS
                auth_pass secret
            }
            virtual_ipaddress {
                192.0.2.21/24 dev eth0
                192.0.2.22/24
            }
            track_script {
                chk_nginx
            }
        }
        vrrp_instance db {
            state BACKUP
            nopreempt
            interface eth0
            virtual_router_id 52
            priority \(250 - priority)
            unicast_src_ip \(source)
            unicast_peer { \(peer) }
            virtual_ipaddress { 192.0.2.23/24 }
        }
        virtual_server 192.0.2.21 80 {
            lb_algo rr
        }

        """
    }

    static let alpha = pairFile(source: "192.0.2.11", peer: "192.0.2.12", priority: 150, name: "alpha")
    static let beta = pairFile(source: "192.0.2.12", peer: "192.0.2.11", priority: 100, name: "beta")

    static func convertPair(_ options: ConversionOptions = ConversionOptions(clusterID: 9)) throws -> ConversionResult {
        try KeepalivedMapping.convert(
            [ConversionInput(file: "alpha.conf", text: alpha), ConversionInput(file: "beta.conf", text: beta)],
            options: options)
    }

    @Test("a VRRP pair (two files) converts: groups, node order by priority, nopreempt, monitors, addresses")
    func pair() throws {
        let result = try Self.convertPair()
        let config = result.config
        #expect(config.nodes.map(\.name) == ["alpha", "beta"])
        #expect(config.nodes.map { $0.interfaces.compactMap(\.address).map(\.description) }
            == [["192.0.2.11"], ["192.0.2.12"]])
        #expect(config.networks.map(\.name) == ["eth0"] && config.networks[0].netmask == IPv4Address("255.255.255.0"))
        #expect(config.resourceGroups.map(\.name) == ["web", "db"])
        #expect(config.resourceGroups.map(\.nodes) == [["alpha", "beta"], ["beta", "alpha"]])
        #expect(config.resourceGroups.map(\.policy) == [.cascading, .rotating])
        #expect(config.serviceAddresses.map(\.address.description) == ["192.0.2.21", "192.0.2.22", "192.0.2.23"])
        let monitor = try #require(config.application(named: "chk_nginx"))
        #expect(monitor.monitor == "/usr/bin/pgrep -x nginx" && monitor.monitorInterval == .seconds(2))
        #expect(monitor.monitorTimeout == .seconds(1) && monitor.restartCount == 0)
        #expect(config.resourceGroups[0].applications == ["chk_nginx"])
        #expect(config.quorum == QuorumPolicy.none)
        #expect(errors(verified(result)) == [])
    }

    @Test("what has no Vigil meaning is reported with its file and line, never dropped")
    func notesWithLines() throws {
        let result = try Self.convertPair()
        let descriptions = result.notes.map(\.description)
        let serverLine = line(of: "virtual_server", in: Self.alpha)
        #expect(descriptions.contains(
            "alpha.conf:\(serverLine): virtual_server is not converted: Vigil does not balance load"))
        #expect(descriptions.contains { $0.hasPrefix("beta.conf:\(line(of: "auth_type", in: Self.beta) - 1): auth") })
        #expect(descriptions.contains { $0.hasPrefix("alpha.conf:\(line(of: "fall 2", in: Self.alpha)): vrrp_script") })
        // Two nodes, IP only: the disk heartbeat is the one thing to add.
        #expect(result.notes.filter { $0.kind == .mustAdd }.map(\.message).allSatisfy { $0.contains("disk heartbeat") })
        #expect(result.notes.contains { $0.kind == .mustAdd })
    }

    @Test("with a disk heartbeat the pair verifies with nothing to add, quorum on the disk")
    func pairWithDisk() throws {
        let result = try Self.convertPair(ConversionOptions(clusterID: 9, diskHeartbeat: "/dev/disk/by-id/hb"))
        #expect(!result.needsAdditions)
        #expect(result.config.quorum == .disk && result.config.tiebreaker == "dhb")
        #expect(errors(verified(result)) == [])
    }

    @Test("one file: one node, and the notes say to add the other; --address adds it")
    func singleFile() throws {
        let alone = try KeepalivedMapping.convert([ConversionInput(file: "alpha.conf", text: Self.alpha)])
        #expect(alone.config.nodes.map(\.name) == ["alpha"])
        #expect(alone.notes.contains { $0.kind == .mustAdd && $0.message.contains("192.0.2.12 (unicast_peer)") })
        #expect(alone.notes.contains { $0.kind == .mustAdd && $0.message.contains("describes one machine") })
        let named = try KeepalivedMapping.convert(
            [ConversionInput(file: "alpha.conf", text: Self.alpha)],
            options: ConversionOptions(addresses: [("beta", IPv4Address(0xC000_020C))]))
        #expect(named.config.nodes.map(\.name) == ["alpha", "beta"])
        #expect(named.config.resourceGroups.map(\.nodes) == [["alpha", "beta"], ["alpha", "beta"]])
        #expect(!named.notes.contains { $0.message.contains("unicast_peer") && $0.kind == .mustAdd })
        #expect(errors(verified(named)) == [])
    }

    @Test("unreadable files are an error naming the line", arguments: [
        ("vrrp_instance a {\n  interface eth0\n", 1, "never closed"),
        ("vrrp_instance a {\n}\n}\n", 3, "closes no block"),
        ("global_defs {\n  router_id \"abc\n}\n", 2, "not closed"),
    ])
    func unreadable(text: String, line: Int, message: String) {
        #expect {
            try KeepalivedMapping.convert([ConversionInput(file: "bad.conf", text: text)])
        } throws: { error in
            guard let error = error as? ConversionError else { return false }
            return error.line == line && error.message.contains(message) && error.file == "bad.conf"
        }
    }

    static let samples = "/usr/share/doc/keepalived/samples"

    /// The samples the keepalived package ships (scripts/setup installs it for the tests).
    static func sampleFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: samples).filter { $0.hasPrefix("keepalived.conf.") }.sorted()
    }

    @Test("every sample of the keepalived package converts to YAML that loads, or a clear error; never a trap")
    func packageSamples() throws {
        let names = try #require(
            try? Self.sampleFiles(), "\(Self.samples) is missing: install keepalived (scripts/setup does)")
        #expect(names.count >= 20)
        var converted = 0
        for name in names {
            let text = try String(contentsOfFile: "\(Self.samples)/\(name)", encoding: .utf8)
            do {
                let result = try KeepalivedMapping.convert([ConversionInput(file: name, text: text)])
                _ = verified(result)
                #expect(!result.notes.isEmpty, "\(name)")
                converted += 1
            } catch {
                #expect(!error.message.isEmpty && error.line >= 1, "\(name): \(error)")
            }
        }
        #expect(converted == names.count)
        let sample = try String(contentsOfFile: "\(Self.samples)/keepalived.conf.sample", encoding: .utf8)
        let result = try KeepalivedMapping.convert([ConversionInput(file: "k.conf", text: sample)])
        let serverLine = line(of: "virtual_server", in: sample)
        #expect(result.notes.map(\.description).contains(
            "k.conf:\(serverLine): virtual_server is not converted: Vigil does not balance load"))
    }
}
