import Foundation
import Testing

/// The whole demo with the built binaries: four real vigild, a crash, a takeover and a fallback.
/// Runs only with VIGIL_DEMO_TEST=1 (it needs `vigil` and `vigild` built, e.g. by
/// `scripts/build-release`, and takes tens of seconds). The
/// binaries are taken from VIGIL_BIN_DIR, else .build/release, else .build/debug.
@Suite("vigil demo, end to end")
struct DemoRunTests {
    static let enabled = ProcessInfo.processInfo.environment["VIGIL_DEMO_TEST"] == "1"
    static let checkout = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func binaries() -> String? {
        let candidates = [ProcessInfo.processInfo.environment["VIGIL_BIN_DIR"]].compactMap { $0 }
            + [".build/release", ".build/debug"].map { checkout.appendingPathComponent($0).path }
        return candidates.first { directory in
            ["vigil", "vigild"].allSatisfy { FileManager.default.isExecutableFile(atPath: "\(directory)/\($0)") }
        }
    }

    @Test("the demo runs to its end and its last line gives the gap",
          .enabled(if: enabled, "set VIGIL_DEMO_TEST=1 to run the whole demo with the built vigil and vigild"),
          .timeLimit(.minutes(5)))
    func wholeDemo() async throws {
        let directory = try #require(Self.binaries(), "no vigil and vigild built under .build/release or .build/debug")
        let stateDirectory = "/tmp/vigil-demo-test-\(getpid())"
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-demo-run-\(getpid()).out")
        defer {
            // The demo's files, once it has stopped everything it started (checked below).
            for path in [stateDirectory, output.path] where FileManager.default.fileExists(atPath: path) {
                do { try FileManager.default.removeItem(atPath: path) } catch { Issue.record("cannot remove \(path): \(error)") }
            }
        }
        #expect(FileManager.default.createFile(atPath: output.path, contents: nil))
        let handle = try FileHandle(forWritingTo: output)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(directory)/vigil")
        process.arguments = ["demo", "--state-dir", stateDirectory, "--wait", "60s"]
        process.currentDirectoryURL = Self.checkout
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        // The demo bounds each of its waits and cleans up on failure; this bounds the whole run.
        let deadline = Date().addingTimeInterval(240)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(200)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGINT)  // the demo stops what it started, then exits
            try await Task.sleep(for: .seconds(15))
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        try handle.close()
        let text = try String(contentsOf: output, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(process.terminationStatus == 0, "vigil demo failed:\n\(text)")
        let last = try #require(lines.last)
        let pattern = try Regex(#"^demo: SH2 moved ghost3 -> ghost4, client saw no answer for ([0-9]+) ms$"#)
        let match = try #require(try pattern.wholeMatch(in: last), "last line: \(last)")
        let gap = try #require(Int(match.output[1].substring ?? ""))
        #expect(gap > 0 && gap < 60_000)
        #expect(lines.contains("   Nothing left running."))
        // No daemon of this run is left: every pid file the demo wrote is gone or names nobody.
        for node in ["ghost1", "ghost2", "ghost3", "ghost4"] {
            let pidFile = "\(stateDirectory)/\(node)/vigild.pid"
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                #expect(kill(pid, 0) != 0, "\(node)'s vigild (pid \(pid)) still runs")
            }
        }
    }
}
