import ArgumentParser
import Foundation
import Testing
@testable import VigilLab
import VigilRoot

/// `vigil sim run` and `vigil sim fuzz` parse their arguments, print the contracted lines and
/// report failure through their result.
@Suite("vigil sim")
struct SimCommandTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples")

    static func example(_ name: String) -> String { examples.appendingPathComponent(name).path }

    @Test("sim run prints a line per case and `15 passed, 0 failed` for Table 12")
    func table12() throws {
        let parsed = try VigilCommand.parseAsRoot(["sim", "run", Self.example("scream.yaml"), "--plan", Self.example("scream-table12.yaml")])
        let command = try #require(parsed as? SimRunCommand)
        var lines: [String] = []
        #expect(try command.execute { lines.append($0) })
        #expect(lines.count == 16)
        #expect(lines.first == "PASS case 1: start_cluster_node on all nodes")
        #expect(lines.last == "15 passed, 0 failed")
    }

    @Test("sim fuzz prints its speed and `N schedules, V violations`")
    func fuzz() throws {
        let parsed = try VigilCommand.parseAsRoot(["sim", "fuzz", Self.example("spscream.yaml"), "--seeds", "3", "--faults", "crash,loss"])
        let command = try #require(parsed as? SimFuzzCommand)
        var lines: [String] = []
        #expect(try command.execute { lines.append($0) })
        #expect(lines.first?.hasPrefix("speed: ") == true)
        #expect(lines.last == "3 schedules, 0 violations")
    }

    @Test("sim fuzz refuses an unknown fault kind, naming the kinds it knows")
    func unknownFault() {
        #expect {
            _ = try VigilCommand.parseAsRoot(["sim", "fuzz", Self.example("scream.yaml"), "--faults", "meteor"])
        } throws: { error in
            VigilCommand.message(for: error).contains("crash, pause, interface")
        }
    }
}
