import ArgumentParser
import Foundation
import Testing
import VigilModel
import VigilRoot
import VigilRuntime

@testable import VigilCLI

/// `vigil keygen` and `vigil init`: secrets readable by their owner only, nothing replaced unless
/// asked, and a starter configuration written only when it verifies.
@Suite("vigil keygen and vigil init")
struct SetupCommandTests {
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "vigil-setup-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func keygenWritesTwoPrivateSecretsAndKeepsThemUnlessForced() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = "\(directory)/etc/cluster.key"
        let token = "\(directory)/etc/http.token"
        let arguments = ["keygen", "--key", key, "--http-token", token]
        var command = try #require(try VigilCommand.parseAsRoot(arguments) as? KeygenCommand)
        try command.run()
        let first = try String(contentsOfFile: key, encoding: .utf8)
        #expect(first.count == 65 && first.hasSuffix("\n"))
        let isHex = first.dropLast().allSatisfy { $0.isHexDigit }
        #expect(isHex)
        #expect(try String(contentsOfFile: token, encoding: .utf8) != first)
        #expect(try Self.mode(key) == 0o600)
        #expect(try Self.mode(token) == 0o600)
        // The daemon reads it as a cluster key, and HTTPAPI as a token.
        _ = try ClusterKey.load(fromFile: key, clusterID: 1)

        command = try #require(try VigilCommand.parseAsRoot(arguments) as? KeygenCommand)
        #expect(throws: SetupError.self) { try command.run() }
        #expect(try String(contentsOfFile: key, encoding: .utf8) == first)

        command = try #require(try VigilCommand.parseAsRoot(arguments + ["--force"]) as? KeygenCommand)
        try command.run()
        #expect(try String(contentsOfFile: key, encoding: .utf8) != first)
        #expect(try Self.mode(key) == 0o600)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: "\(directory)/etc").sorted() == [
                "cluster.key", "http.token",
            ])
    }

    @Test func initWritesAVerifiedStarterAndKeepsAnExistingFile() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let out = "\(directory)/cluster.yaml"
        let command = try #require(
            try VigilCommand.parseAsRoot([
                "init", "--name", "pair", "--node", "alpha=192.0.2.11", "--node", "beta=192.0.2.12",
                "--disk", "/dev/disk/by-id/vigil-hb", "--service", "web=192.0.2.21", "--out", out,
            ]) as? InitCommand)
        let interfaces = [
            StarterConfiguration.HostInterface(name: "eth0", address: IPv4Address("192.0.2.11")!, prefixLength: 24)
        ]
        let (yaml, report, failed) = try command.configuration(hostInterfaces: interfaces)
        #expect(!failed)
        #expect(report.last == "verify: 0 errors, 0 warnings")
        #expect(yaml.contains("quorum: {policy: disk, tiebreaker: dhb}"))

        try "edited by hand\n".write(toFile: out, atomically: true, encoding: .utf8)
        #expect(throws: SetupError.self) { try command.run() }
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "edited by hand\n")
    }

    @Test(arguments: [
        (["--node", "alpha"], "expected NAME=VALUE"),
        (["--node", "alpha=192.0.2.300"], "'192.0.2.300' is not an IPv4 address"),
        (["--node", "alpha=192.0.2.11", "--service", "web"], "expected NAME=VALUE"),
        (["--node", "alpha=192.0.2.11", "--id", "0"], "--id must be from 1 to 2147483647"),
        ([String](), "name each node with --node"),
    ])
    func badOptionsAreRefusedBeforeAnythingIsRead(options: [String], message: String) {
        #expect {
            var command = try VigilCommand.parseAsRoot(
                ["init", "--name", "c", "--out", "/nonexistent/x.yaml"] + options)
            try command.run()
        } throws: { error in
            VigilCommand.message(for: error).contains(message)
        }
    }
}
