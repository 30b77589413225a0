import Foundation
import ArgumentParser
import Testing
@testable import VigilCLI
import VigilRoot

@Suite("vigil convert")
struct ConvertCommandTests {
    static func command(_ arguments: [String]) throws -> ConvertCommand {
        try #require(try VigilCommand.parseAsRoot(["convert"] + arguments) as? ConvertCommand)
    }

    static let files = [
        "a.conf": """
            vrrp_instance VI_1 {
                interface eth0
                priority 150
                unicast_src_ip 192.0.2.11
                unicast_peer { 192.0.2.12 }
                virtual_ipaddress { 192.0.2.21/24 }
            }
            virtual_server 192.0.2.21 80 { }
            """,
        "b.conf": """
            vrrp_instance VI_1 {
                interface eth0
                priority 100
                unicast_src_ip 192.0.2.12
                virtual_ipaddress { 192.0.2.21/24 }
            }
            """,
        "bad.conf": "vrrp_instance VI_1 {\n",
    ]

    static func read(_ path: String) throws -> String {
        guard let text = files[path] else { throw CocoaLikeError.missing(path) }
        return text
    }

    enum CocoaLikeError: Error { case missing(String) }

    @Test("--from is vigil by default (one file), and an address must be NODE=IPV4")
    func parsing() throws {
        let parsed = try VigilCommand.parseAsRoot(["convert", "a.yaml"]) as? ConvertCommand
        #expect(parsed?.from == .vigil)
        #expect(throws: (any Error).self) { try VigilCommand.parseAsRoot(["convert", "a.yaml", "b.yaml"]) }
        #expect(throws: (any Error).self) {
            try VigilCommand.parseAsRoot(["convert", "--from", "keepalived", "--address", "b", "a.conf"])
        }
    }

    @Test("a pair with a disk heartbeat converts and verifies: exit 0, notes with lines on standard error")
    func pair() throws {
        let command = try Self.command([
            "--from", "keepalived", "--node", "alpha", "--node", "beta", "--disk-heartbeat", "/dev/sdb",
            "--cluster-id", "4", "a.conf", "b.conf",
        ])
        let outcome = command.outcome(read: Self.read)
        #expect(outcome.status == 0, "\(outcome.messages)")
        #expect(outcome.yaml?.contains("nodes: [alpha, beta]") == true)
        #expect(outcome.messages.contains("a.conf:8: virtual_server is not converted: Vigil does not balance load"))
        #expect(outcome.messages.contains("verify: 0 errors, 0 warnings"))
    }

    @Test("one file needs the other node: exit 1; unreadable input: exit 2 naming the file and line")
    func statuses() throws {
        let alone = try Self.command(["--from", "keepalived", "a.conf"]).outcome(read: Self.read)
        #expect(alone.status == 1 && alone.messages.contains { $0.contains("must add: the node at 192.0.2.12") })
        let bad = try Self.command(["--from", "keepalived", "bad.conf"]).outcome(read: Self.read)
        #expect(bad.status == 2 && bad.yaml == nil && bad.messages.first == "bad.conf:1: this '{' is never closed by a '}'")
        let missing = try Self.command(["--from", "pacemaker", "cib.xml"]).outcome(read: Self.read)
        #expect(missing.status == 2 && missing.messages.first?.hasPrefix("cib.xml: cannot read") == true)
    }

    static func repo(_ path: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(path).path
    }

    @Test("an unversioned Vigil file is rewritten as the current format and verifies; a later format is refused")
    func vigilFormat() throws {
        let pair = try String(contentsOfFile: Self.repo("examples/pair.yaml"), encoding: .utf8)
        let command = try #require(try VigilCommand.parseAsRoot(["convert", "pair.yaml"]) as? ConvertCommand)
        let outcome = command.outcome { _ in pair }
        #expect(outcome.status == 0, "\(outcome.messages)")
        #expect(outcome.yaml?.contains("\nformat: 1\ncluster: {name: pair, id: 2}\n") == true)
        #expect(outcome.messages.last == "convert: format 1 -> 1; the configuration verifies")
        let later = command.outcome { _ in "format: 3\ncluster: {name: x, id: 1}\nnetworks: []\nnodes: []\n" }
        #expect(later.status == 2 && later.yaml == nil)
        #expect(later.messages.first?.contains("format is 3, newer than this vigil reads") == true)
    }
}
