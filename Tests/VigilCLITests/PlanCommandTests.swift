import ArgumentParser
import Foundation
import Testing
@testable import VigilCLI
import VigilModel
import VigilRoot

@Suite("vigil plan")
struct PlanCommandTests {
    static let examples = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples")

    static func example(_ name: String) -> String { examples.appendingPathComponent(name).path }

    static func command(_ arguments: [String]) throws -> PlanCommand {
        let parsed = try VigilCommand.parseAsRoot(["plan"] + arguments)
        return try #require(parsed as? PlanCommand)
    }

    @Test("one network, no disk heartbeat: several SPOFs and exit 1")
    func singleNetworkHasSinglePointsOfFailure() throws {
        let command = try Self.command([Self.example("single-network.yaml"), "--single-failures"])
        var lines: [String] = []
        let config = try ConfigLoader.load(contentsOf: Self.example("single-network.yaml")).config
        #expect(command.reportSinglePointsOfFailure(config, print: { lines.append($0) }))
        #expect(lines.filter { $0.hasPrefix("SPOF: ") }.count == 8)
        #expect(lines.last == "single failures: 4 of 4 single faults leave a group offline")
        #expect(throws: ExitCode(1)) { try command.run() }
    }

    @Test("pair: no SPOF, exit 0")
    func pairHasNone() throws {
        let command = try Self.command([Self.example("pair.yaml"), "--single-failures"])
        var lines: [String] = []
        let config = try ConfigLoader.load(contentsOf: Self.example("pair.yaml")).config
        #expect(!command.reportSinglePointsOfFailure(config, print: { lines.append($0) }))
        #expect(lines == ["single failures: none of 8 single faults leaves a group offline"])
    }

    @Test("--out writes the plan, the table and the diagram")
    func writesTheFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-plan-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let command = try Self.command([Self.example("single-network.yaml"), "--out", directory + "/made"])
        let config = try ConfigLoader.load(contentsOf: Self.example("single-network.yaml")).config
        var lines: [String] = []
        #expect(try !command.writePlan(config, to: directory + "/made", print: { lines.append($0) }))
        for file in ["plan.yaml", "transitions.md", "diagram.dot"] {
            #expect(FileManager.default.fileExists(atPath: "\(directory)/made/\(file)"), "\(file)")
        }
        #expect(lines.contains { $0.hasPrefix("wrote \(directory)/made/plan.yaml: ") && $0.hasSuffix(" pass when replayed in the simulator") })
        let svg = PlanFiles.executable("dot") != nil
        #expect(FileManager.default.fileExists(atPath: "\(directory)/made/diagram.svg") == svg)
        #expect(lines.last?.contains("diagram.svg") == true)
    }

    @Test("a config that cannot be read: one line, no trap")
    func unreadableConfig() throws {
        let command = try Self.command(["/nonexistent/cluster.yaml", "--single-failures"])
        do {
            try command.run()
            Issue.record("expected an error")
        } catch let error as PlanCommandError {
            #expect(error.description.hasPrefix("plan: /nonexistent/cluster.yaml:1:1: error: cannot read"))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("a directory that cannot be written: one line, before any exploration")
    func unwritableDirectory() throws {
        let command = try Self.command([Self.example("pair.yaml"), "--out", "/proc/vigil-plan"])
        do {
            try command.run()
            Issue.record("expected an error")
        } catch let error as PlanCommandError {
            #expect(error.description.hasPrefix("plan: cannot make the directory /proc/vigil-plan"))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("neither --out nor --single-failures, or --covers without --out: a usage error")
    func validation() {
        #expect(throws: (any Error).self) { try Self.command([Self.example("pair.yaml")]) }
        #expect(throws: (any Error).self) {
            try Self.command([Self.example("pair.yaml"), "--single-failures", "--covers", "x.yaml"])
        }
    }
}
