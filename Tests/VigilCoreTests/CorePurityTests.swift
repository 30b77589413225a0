import Foundation
import Testing

/// Proves the core has no hidden clock and no randomness of its own (STYLE.md point 4; DESIGN.md:
/// "the protocols as pure state machines, with no I/O, no clock and no randomness of their own"), so
/// that the simulator replays every run exactly from its seed: no source file of VigilCore may
/// mention a clock, a sleep or a random draw.
@Suite struct CorePurityTests {
    static let banned = ["Date()", "ContinuousClock", "SuspendingClock", "Task.sleep", ".random(", "DispatchTime"]

    static var coreSources: URL { CoreFixture.repoRoot.appendingPathComponent("Sources/VigilCore") }

    @Test func theCoreReadsNoClockAndDrawsNoRandomNumber() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.coreSources.path)
            .filter { $0.hasSuffix(".swift") }.sorted()
        #expect(files.count >= 10, "the core's sources were not found at \(Self.coreSources.path): \(files)")
        for file in files {
            let text = try String(contentsOf: Self.coreSources.appendingPathComponent(file), encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                for word in Self.banned where line.contains(word) {
                    Issue.record("Sources/VigilCore/\(file):\(number + 1) uses \(word): time and chance must be inputs\n\(line)")
                }
            }
        }
    }

    @Test func theBanListFindsWhatItBans() {
        let sample = "let now = ContinuousClock.now; try await Task.sleep(for: .seconds(1)); let x = Int.random(in: 0..<3)"
        #expect(Self.banned.filter { sample.contains($0) } == ["ContinuousClock", "Task.sleep", ".random("])
    }
}
