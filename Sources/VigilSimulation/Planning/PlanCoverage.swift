import VigilModel

/// Whether an exploration covers a hand-written plan (the seed's Table 12): for each of its cases,
/// a generated case does the same action from the same state and expects the same placement. A
/// case of several actions (Table 12's case 2 fails two adapters) is covered by one generated case
/// doing them all, or by one generated case per action, each from the same state to the same
/// placement.
///
/// The state before a reference case is the placement the case before expects (nothing online
/// before the first): its `after` actions must leave the placement as they found it, as Table 12's do.
public struct PlanCoverage: Sendable, Equatable {
    /// A reference case and the generated cases (numbered from 1) that cover it; none when uncovered.
    public struct Match: Sendable, Equatable, CustomStringConvertible {
        public var referenceCase: Int
        public var referenceName: String
        public var generatedCases: [Int]

        public var description: String {
            generatedCases.isEmpty
                ? "case \(referenceCase) (\(referenceName)): not covered"
                : "case \(referenceCase) (\(referenceName)) = generated case "
                    + generatedCases.map(String.init).joined(separator: " + ")
        }
    }

    public var matches: [Match]

    public var uncovered: [Match] { matches.filter(\.generatedCases.isEmpty) }

    public init(reference: TestPlan, exploration: Exploration) {
        var before = ClusterPlacement.nothingOnline
        matches = reference.cases.map { referenceCase in
            let after = ClusterPlacement(referenceCase.expect)
            let found = Self.cover(referenceCase.actions, from: before, to: after, in: exploration.transitions)
            before = after
            return Match(referenceCase: referenceCase.number, referenceName: referenceCase.name, generatedCases: found)
        }
    }

    /// The generated cases (numbered from 1) that do `actions` from `before` to `after`.
    private static func cover(
        _ actions: [PlanAction], from before: ClusterPlacement, to after: ClusterPlacement, in transitions: [Transition]
    ) -> [Int] {
        let matching = { (wanted: [PlanAction]) -> Int? in
            transitions.firstIndex { $0.actions == wanted && $0.before == before && $0.result == after }.map { $0 + 1 }
        }
        if let whole = matching(actions) { return [whole] }
        guard actions.count > 1 else { return [] }
        let each = actions.map { matching([$0]) }
        return each.contains(nil) ? [] : each.compactMap { $0 }
    }
}
