import Testing
import VigilCore
import VigilModel

@testable import VigilSimulation

/// Prediction equals outcome, briefly: `scripts/test` runs `vigil sim predict` with 1,000 faults
/// on the release build; here a few dozen per example keep the engine honest in every test run.
@Suite struct EmulationPredictionTests {
    @Test(arguments: ["scream.yaml", "pair.yaml"])
    func everyPredictedPlacementIsTheOutcome(example: String) throws {
        let config = try Fixtures.config(example)
        let outcome = PredictionCheck(config: config).run(faults: 30)
        #expect(outcome.compared >= 30)
        #expect(outcome.mismatches.isEmpty, "\(outcome.mismatches.prefix(10).joined(separator: "\n"))")
    }
}
