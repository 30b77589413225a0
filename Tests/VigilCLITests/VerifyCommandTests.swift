import ArgumentParser
import Foundation
import Testing
@testable import VigilCLI
import VigilRoot

@Suite("vigil verify")
struct VerifyCommandTests {
    static let examples = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples")

    static func command(_ arguments: [String]) throws -> VerifyCommand {
        let parsed = try VigilCommand.parseAsRoot(["verify"] + arguments)
        return try #require(parsed as? VerifyCommand)
    }

    @Test("scream verifies clean and prints its detection times")
    func scream() async throws {
        let path = Self.examples.appendingPathComponent("scream.yaml").path
        let command = try Self.command([path])
        #expect(command.file == path && !command.json)
        let (lines, failed) = command.output()
        #expect(!failed)
        #expect(lines == [
            "timing: preset default",
            "timing: ether heartbeat 200ms x 4 = detection 0.8s",
            "timing: token heartbeat 200ms x 4 = detection 0.8s",
            "timing: rs232_12 heartbeat 500ms x 4 = detection 2s",
            "timing: rs232_23 heartbeat 500ms x 4 = detection 2s",
            "timing: rs232_34 heartbeat 500ms x 4 = detection 2s",
            "timing: rs232_41 heartbeat 500ms x 4 = detection 2s",
            "timing: node failure detected after 2s",
            "timing: dead man switch trips after 450ms without quorum",
            "timing: takeover waits 0.75s after a node was last heard (dead man switch 450ms + heartbeat 200ms + release allowance 100ms)",
            "timing: monitoring all-to-all: each node heartbeats every peer (4 nodes; rings from 6 with observers 4)",
            "verify: 0 errors, 0 warnings",
        ])
        try await command.run()
    }

    @Test("spscream passes with two warnings: quorum none and no non-IP path")
    func spscream() throws {
        let path = Self.examples.appendingPathComponent("spscream.yaml").path
        let (lines, failed) = try Self.command([path]).output()
        #expect(!failed)
        #expect(lines.count == 2 + 7 + 1)
        #expect(lines.first?.hasPrefix("\(path):16:18: warning: quorum policy none lets every side of a partition") == true)
        #expect(lines.dropFirst().first?.hasPrefix("\(path):19:1: warning: the cluster has no serial link or disk heartbeat") == true)
        #expect(lines.last == "verify: 0 errors, 2 warnings")
    }

    @Test("pair verifies clean; its takeover wait is 1s")
    func pair() throws {
        let path = Self.examples.appendingPathComponent("pair.yaml").path
        let (lines, failed) = try Self.command([path]).output()
        #expect(!failed)
        #expect(lines == [
            "timing: preset default",
            "timing: lan heartbeat 200ms x 4 = detection 0.8s",
            "timing: heartbeat heartbeat 200ms x 4 = detection 0.8s",
            "timing: dhb heartbeat 200ms x 4 = detection 0.8s",
            "timing: node failure detected after 0.8s",
            "timing: dead man switch trips after 600ms without quorum",
            "timing: takeover waits 1s after a node was last heard (dead man switch 600ms + heartbeat 200ms + release allowance 200ms)",
            "timing: monitoring all-to-all: each node heartbeats every peer (2 nodes; rings from 6 with observers 4)",
            "verify: 0 errors, 0 warnings",
        ])
    }

    @Test("the takeover line adds the tuned dead man switch, the slowest IP heartbeat and the release allowance")
    func takeoverArithmetic() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-verify-\(UUID()).yaml").path
        try """
            cluster: {name: x, id: 1}
            tuning:
              heartbeat: {ether: {interval: 300ms}, token: {interval: 500ms}}
              dead_man_switch: 1.5s
              release_allowance: 250ms
            networks:
              - {name: ether, type: ether, netmask: 255.255.255.0}
              - {name: token, type: token, netmask: 255.255.255.0}
            nodes:
              - {name: a, interfaces: [{name: eth0, address: 10.0.0.1, network: ether}]}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (lines, _) = try Self.command([path]).output()
        #expect(lines.contains("timing: dead man switch trips after 1.5s without quorum"))
        #expect(lines.contains(
            "timing: takeover waits 2.25s after a node was last heard (dead man switch 1.5s + heartbeat 500ms + release allowance 250ms)"))
        let (json, _) = try Self.command([path, "--json"]).output()
        let object = try #require(JSONSerialization.jsonObject(with: Data(json[0].utf8)) as? [String: Any])
        let timing = try #require(object["timing"] as? [String: Any])
        #expect(timing["dead_man_switch_milliseconds"] as? Int == 1500)
        #expect(timing["release_allowance_milliseconds"] as? Int == 250)
        #expect(timing["takeover_wait_milliseconds"] as? Int == 2250)
    }

    @Test("a hardware watchdog gets its own timing line and replaces the release allowance in the takeover wait")
    func hardwareWatchdog() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-verify-\(UUID()).yaml").path
        try """
            cluster: {name: x, id: 1}
            tuning:
              dead_man_switch: 1.5s
              release_allowance: 250ms
              hardware_watchdog: 5s
            networks:
              - {name: ether, type: ether, netmask: 255.255.255.0}
            nodes:
              - {name: a, interfaces: [{name: eth0, address: 10.0.0.1, network: ether}]}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (lines, failed) = try Self.command([path]).output()
        #expect(!failed)
        #expect(lines.contains(
            "timing: takeover waits 6.65s after a node was last heard (dead man switch 1.5s + heartbeat 150ms + "
                + "hardware watchdog 5s, longer than the release allowance 250ms)"))
        #expect(lines.contains(
            "timing: hardware watchdog 5s resets a node whose lease ran out while it holds groups (takeover waits 6.65s)"))
        let (json, _) = try Self.command([path, "--json"]).output()
        let object = try #require(JSONSerialization.jsonObject(with: Data(json.joined().utf8)) as? [String: Any])
        let timing = try #require(object["timing"] as? [String: Any])
        #expect(timing["hardware_watchdog_milliseconds"] as? Int == 5000)
        #expect(timing["takeover_wait_milliseconds"] as? Int == 6650)
    }

    @Test("a cluster larger than observers + 1 monitors in rings, and says what a takeover behind its coordinator waits")
    func rings() throws {
        let path = Self.examples.appendingPathComponent("sixteen.yaml").path
        let (lines, failed) = try Self.command([path]).output()
        #expect(!failed)
        #expect(lines.contains(
            "timing: monitoring in rings: each node heartbeats 4 ring neighbours and the coordinator on each IP network "
                + "(16 nodes, observers 4); nodes cut off together with their coordinator are taken over 1.15s after "
                + "it was last heard"))
        let (json, _) = try Self.command([path, "--json"]).output()
        let object = try #require(JSONSerialization.jsonObject(with: Data(json.joined().utf8)) as? [String: Any])
        let timing = try #require(object["timing"] as? [String: Any])
        #expect(timing["observers"] as? Int == 4)
        #expect(timing["monitors_in_rings"] as? Bool == true)
    }

    @Test("table 22 as printed fails with FILE:LINE:COLUMN: error: naming the address and both nodes")
    func table22() async throws {
        let path = Self.examples.appendingPathComponent("scream-table22-as-printed.yaml").path
        let command = try Self.command([path])
        let (lines, failed) = command.output()
        #expect(failed)
        let error = try #require(lines.first)
        #expect(error.hasPrefix("\(path):"))
        #expect(error.contains(": error: address 192.168.1.186 of ghost4_boot_en0 on ghost4"))
        #expect(error.contains("ghost2_boot_en0 on ghost2"))
        #expect(lines.last == "verify: 1 errors, 0 warnings")
        await #expect(throws: ExitCode.self) { try await command.run() }
    }

    @Test("an unreadable file is one error line")
    func unreadable() throws {
        let (lines, failed) = try Self.command(["/nonexistent/cluster.yaml"]).output()
        #expect(failed)
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("/nonexistent/cluster.yaml:1:1: error: cannot read"))
        #expect(lines[1] == "verify: 1 errors, 0 warnings")
    }

    @Test("loader errors are printed sorted, without timing")
    func loaderErrors() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-verify-\(UUID()).yaml").path
        try "cluster: {name: x, id: 1}\nnetworks: []\nnodes: []\nnodez: []\ntuning: {config_too_long: 5}\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (lines, failed) = try Self.command([path]).output()
        #expect(failed)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("\(path):4:1: error: unknown key 'nodez'"))
        #expect(lines[1].hasPrefix("\(path):5:27: error: tuning.config_too_long is '5' without a unit"))
        #expect(lines[2] == "verify: 2 errors, 0 warnings")
    }

    @Test("--json prints one object with diagnostics, timing and counts")
    func json() throws {
        let path = Self.examples.appendingPathComponent("scream-table22-as-printed.yaml").path
        let command = try Self.command([path, "--json"])
        #expect(command.json)
        let (lines, failed) = command.output()
        #expect(failed && lines.count == 1)
        let object = try #require(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(object["errors"] as? Int == 1)
        #expect(object["warnings"] as? Int == 0)
        let diagnostics = try #require(object["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.count == 1)
        #expect(diagnostics[0]["file"] as? String == path)
        #expect(diagnostics[0]["severity"] as? String == "error")
        #expect((diagnostics[0]["line"] as? Int ?? 0) > 0 && (diagnostics[0]["column"] as? Int ?? 0) > 0)
        #expect((diagnostics[0]["message"] as? String)?.contains("192.168.1.186") == true)
        let timing = try #require(object["timing"] as? [String: Any])
        let nodes = try #require(timing["nodes"] as? [[String: Any]])
        #expect(nodes.count == 4 && nodes.allSatisfy { $0["detection_milliseconds"] as? Int == 2000 })
    }
}
