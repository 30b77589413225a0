import VigilModel

/// Replays a written plan from scratch, as `vigil sim run` does: loaded from its YAML text by
/// `TestPlanLoader`, run by `PlanRunner` on a fresh simulator. A generated plan is written only
/// when this says every case passes.
public enum ExplorationCheck {
    /// The result of every case; one failed "case 0" when the text does not load.
    public static func replay(yaml: String, file: String, config: ClusterConfig, seed: UInt64 = 1) -> [CaseResult] {
        let plan: TestPlan
        do {
            plan = try TestPlanLoader.load(yaml: yaml, file: file, nodes: config.nodes.map(\.name))
        } catch {
            return [CaseResult(number: 0, name: "load", problems: ["the plan does not load: \(error)"])]
        }
        return PlanRunner(config: config, plan: plan, seed: seed).run()
    }
}
