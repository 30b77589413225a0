/// A seeded generator (SplitMix64). Every input of a fuzz run is made by a generator of its own,
/// derived from the run's seed, the decoder's name and the input's index, so that any one input can
/// be made again alone (`vigil-fuzz --replay SEED --index N`) and a run replays exactly.
public struct FuzzRandom: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The generator of input `index` of `stream` (a decoder's name) in the run seeded `seed`.
    public init(seed: UInt64, stream: String, index: UInt64) {
        // FNV-1a of the name: stable from one process to the next, unlike `Hasher`.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in stream.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        state = seed
        state = next() ^ hash
        state = next() ^ index
        _ = next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (0 when `bound` is not positive).
    public mutating func below(_ bound: Int) -> Int {
        bound > 0 ? Int(next() % UInt64(bound)) : 0
    }

    /// True once in `times` on average.
    public mutating func oneIn(_ times: Int) -> Bool { below(times) == 0 }

    public mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }

    public mutating func bytes(_ count: Int) -> [UInt8] { (0..<max(0, count)).map { _ in byte() } }

    /// An element of a non-empty array.
    public mutating func pick<Element>(_ elements: [Element]) -> Element {
        precondition(!elements.isEmpty, "pick from an empty array")
        return elements[below(elements.count)]
    }

    /// A length skewed towards small values: mostly below 16, sometimes up to `limit`.
    public mutating func length(upTo limit: Int) -> Int {
        switch below(8) {
        case 0: below(limit + 1)
        case 1, 2: below(min(256, limit) + 1)
        default: below(min(16, limit) + 1)
        }
    }
}
