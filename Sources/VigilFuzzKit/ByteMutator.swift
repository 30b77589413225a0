/// Mutations of binary inputs, as a fuzzer makes them from valid encodings: flipped bits, bytes set
/// to values that break parsers (0, 0xFF, 0x7F, 0x80), integers of 1 to 8 bytes set to their
/// extremes in either byte order (what a length or count field becomes), inserted, deleted and
/// duplicated ranges, truncations, extensions, and splices with another input.
public enum ByteMutator {
    /// The kinds of mutation, one picked at random per round.
    public enum Kind: CaseIterable, Sendable {
        case flipBit, setByte, extremeInteger, insertBytes, deleteRange, duplicateRange, truncate, extend, splice
    }

    /// Bytes that sit at the edges of signed and unsigned ranges.
    static let edgeBytes: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF]

    /// `input` after 1 to `maximumRounds` random mutations, cut to `limit` bytes after each;
    /// `others` are inputs to splice from.
    public static func mutate(
        _ input: [UInt8], others: [[UInt8]] = [], random: inout FuzzRandom, maximumRounds: Int = 4, limit: Int = 1 << 20
    ) -> [UInt8] {
        var bytes = input
        for _ in 0...random.below(maximumRounds) {
            apply(random.pick(Kind.allCases), to: &bytes, others: others, random: &random)
            if bytes.count > limit { bytes.removeSubrange(limit...) }
        }
        return bytes
    }

    /// Applies one mutation of `kind` to `bytes`.
    public static func apply(_ kind: Kind, to bytes: inout [UInt8], others: [[UInt8]], random: inout FuzzRandom) {
        let at = random.below(bytes.count + 1)
        switch kind {
        case .flipBit:
            guard !bytes.isEmpty else { return }
            bytes[min(at, bytes.count - 1)] ^= 1 << UInt8(random.below(8))
        case .setByte:
            guard !bytes.isEmpty else { return }
            bytes[min(at, bytes.count - 1)] = random.oneIn(2) ? random.pick(edgeBytes) : random.byte()
        case .extremeInteger:
            let width = random.pick([1, 2, 4, 8])
            let value = random.pick(extremes(width: width))
            writeInteger(value, width: width, bigEndian: !random.oneIn(4), at: at, into: &bytes)
        case .insertBytes:
            let count = random.length(upTo: 4096)
            let filler = random.oneIn(2) ? random.bytes(count) : Array(repeating: random.pick(edgeBytes), count: count)
            bytes.insert(contentsOf: filler, at: at)
        case .deleteRange:
            bytes.removeSubrange(at..<min(bytes.count, at + random.length(upTo: bytes.count)))
        case .duplicateRange:
            let range = at..<min(bytes.count, at + random.length(upTo: bytes.count))
            let copies = random.oneIn(8) ? random.below(64) + 1 : 1
            let copied = Array(repeating: Array(bytes[range]), count: copies).joined()
            bytes.insert(contentsOf: copied, at: range.upperBound)
        case .truncate:
            bytes.removeSubrange(at...)
        case .extend:
            bytes += random.bytes(random.length(upTo: 70_000))
        case .splice:
            guard !others.isEmpty else { return }
            let other = random.pick(others)
            let from = random.below(other.count + 1)
            bytes = Array(bytes[..<at]) + Array(other[from...])
        }
    }

    /// The extreme values of an integer `width` bytes wide: 0, 1, the signed and unsigned maxima
    /// and minima, and their neighbours.
    public static func extremes(width: Int) -> [UInt64] {
        let bits = UInt64(width * 8)
        let all: UInt64 = bits == 64 ? .max : (1 << bits) - 1
        let signedMax = all >> 1
        let edges: [UInt64] = [0, 1, 2, all, all - 1, signedMax, signedMax + 1, signedMax - 1]
        return (edges + [0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x1_0000]).map { $0 & all }
    }

    /// Writes `value`'s low `width` bytes at `offset`, over what is there, growing `bytes` if needed.
    public static func writeInteger(
        _ value: UInt64, width: Int, bigEndian: Bool = true, at offset: Int, into bytes: inout [UInt8]
    ) {
        if bytes.count < offset + width { bytes += Array(repeating: 0, count: offset + width - bytes.count) }
        for index in 0..<width {
            let shift = UInt64(bigEndian ? (width - 1 - index) * 8 : index * 8)
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> shift)
        }
    }
}
