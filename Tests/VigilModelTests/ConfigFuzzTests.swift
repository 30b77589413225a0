import Foundation
import Testing
import VigilFuzzKit
@testable import VigilModel

/// `verify` never traps on any file: the example configurations and plans, mutated (byte flips,
/// deleted and duplicated lines, huge numbers, deep nesting, random Unicode, truncation), go
/// through the loader, the verifier and the timing arithmetic. A trap would kill the test process.
/// `vigil-fuzz --only config` runs the same mutations for longer (docs/fuzzing.md).
@Suite("fuzz: mutated configuration files")
struct ConfigFuzzTests {
    static let examples: [(name: String, text: String)] = {
        let directory = Fixture.repoRoot.appendingPathComponent("examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().compactMap { name in
            (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)).map { (name, $0) }
        }
    }()

    /// What one input did, for the summary.
    enum Outcome: String { case loadError, verifyError, clean }

    /// Loads, verifies and computes the timing of one text, as `vigil verify` does.
    static func check(_ text: String) -> Outcome {
        let (loaded, _) = ConfigLoader.load(yaml: text, file: "fuzz.yaml")
        guard let loaded else { return .loadError }
        let diagnostics = Verifier.verify(loaded)
        let times = DetectionTimes(loaded.config)
        _ = times.nodes.map { DetectionTimes.seconds($0.detection) } + [DetectionTimes.seconds(times.takeoverWait)]
        return diagnostics.contains { $0.severity == .error } ? .verifyError : .clean
    }

    @Test("1,500 mutated example files load and verify without a trap, each in well under a second")
    func mutatedConfigurations() throws {
        let examples = Self.examples
        try #require(examples.count >= 5, "the examples are found")
        var outcomes: [Outcome: Int] = [:]
        var slowest: (Duration, Int) = (.zero, 0)
        let clock = ContinuousClock()
        for index in 0..<1_500 {
            var random = FuzzRandom(seed: 1, stream: "config", index: UInt64(index))
            let text = TextMutator.mutate(random.pick(examples).text, random: &random)
            var outcome = Outcome.clean
            let elapsed = clock.measure { outcome = Self.check(text) }
            outcomes[outcome, default: 0] += 1
            if elapsed > slowest.0 { slowest = (elapsed, index) }
        }
        let counts = outcomes.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }
        print("config fuzz: \(counts.joined(separator: ", ")); slowest \(slowest.0) (input \(slowest.1))")
        #expect(slowest.0 < .seconds(2), "input \(slowest.1) of seed 1 took \(slowest.0)")
        let verified = outcomes[.clean, default: 0] + outcomes[.verifyError, default: 0]
        #expect(outcomes[.loadError, default: 0] > 100 && verified > 100,
                "mutations reach both the loader's errors and the verifier")
    }

    @Test("300 mutated test plans load or fail without a trap")
    func mutatedPlans() throws {
        let plans = Self.examples.filter { $0.text.contains("cases:") }
        try #require(!plans.isEmpty)
        for index in 0..<300 {
            var random = FuzzRandom(seed: 1, stream: "plan", index: UInt64(index))
            let text = TextMutator.mutate(random.pick(plans).text, random: &random)
            let nodes = ["ghost1", "ghost2", "ghost3", "ghost4"]
            _ = try? TestPlanLoader.load(yaml: text, file: "fuzz-plan.yaml", nodes: nodes)
        }
    }
}
