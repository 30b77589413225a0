/// Suggests the intended word for a misspelt key or value ("adress" -> "address").
enum Spelling {
    /// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo
    /// (at most 3 edits, and fewer than half the word's length: `cascade` -> `cascading`).
    static func closest(to word: String, among candidates: [String]) -> String? {
        // A word whose length differs by more than 3 from a candidate's is more than 3 edits away:
        // skipped without computing the distance, which costs the product of the two lengths.
        let near = candidates.filter { abs($0.count - word.count) <= 3 }
        let scored = near.map { (candidate: $0, distance: distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.distance < $1.distance }) else { return nil }
        guard best.distance <= 3, best.distance * 2 < word.count else { return nil }
        return best.candidate
    }

    /// Levenshtein distance: insertions, deletions and substitutions, each costing 1.
    static func distance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs)
        let b = Array(rhs)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
