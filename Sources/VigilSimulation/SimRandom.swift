/// The simulator's only source of chance: a SplitMix64 generator seeded by the run's seed, so that
/// every run with the same seed makes the same choices in the same order.
public struct SimRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `true` with probability `p` (0...1).
    public mutating func chance(_ p: Double) -> Bool {
        p > 0 && Double.random(in: 0..<1, using: &self) < p
    }

    /// A duration drawn uniformly between `low` and `high`, in whole microseconds.
    public mutating func duration(_ low: Duration, _ high: Duration) -> Duration {
        let a = low.microseconds
        let b = high.microseconds
        return b <= a ? low : .microseconds(Int64.random(in: a...b, using: &self))
    }
}

extension Duration {
    var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
