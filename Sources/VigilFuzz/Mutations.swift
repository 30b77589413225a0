import VigilCore
import VigilFuzzKit
@_spi(Fuzzing) import VigilRuntime

/// Mutations that know the formats: they change one part of an input and keep the rest valid, so
/// that the input gets past the early checks (tag, checksum, JSON syntax) to the code behind them.
enum Mutations {
    /// The most bytes a mutation of a packet, payload or disk record grows to: more than a datagram
    /// or a slot holds, so that the decoders' size checks are reached, and no more.
    static let binaryLimit = 1 << 17

    /// A payload (its kind byte first): the JSON of a JSON payload edited as text, the binary
    /// addressing or heartbeat mutated as bytes, or the kind changed.
    static func payload(_ input: [UInt8], corpus: Corpus, random: inout FuzzRandom) -> [UInt8] {
        guard var kind = input.first else { return input }
        var payload = Array(input.dropFirst())
        if random.oneIn(16) { kind = random.oneIn(2) ? random.byte() : (kind == 1 ? 2 : 1) }
        if kind == PayloadKind.json.rawValue, let split = addressingLength(payload), !random.oneIn(4) {
            let json = String(decoding: payload[split...], as: UTF8.self)
            let mutated = TextMutator.mutate(json, random: &random, limit: binaryLimit)
            payload = Array(payload[..<split]) + Array(mutated.utf8)
        } else {
            let others = corpus.payloads.map { Array($0.dropFirst()) }
            payload = ByteMutator.mutate(payload, others: others, random: &random, limit: binaryLimit)
        }
        return [kind] + payload
    }

    /// Where the binary addressing at the start of a payload ends (`EnvelopeCoding`): protocol
    /// version (2 bytes), from (name), incarnation (8), to (name), network (name), and two
    /// optional names behind a flag byte; `nil` when it runs past the end.
    static func addressingLength(_ payload: [UInt8]) -> Int? {
        var offset = 2
        func name() -> Bool {
            guard offset < payload.count else { return false }
            offset += 1 + Int(payload[offset])
            return offset <= payload.count
        }
        func optionalName() -> Bool {
            guard offset < payload.count else { return false }
            offset += 1
            return payload[offset - 1] == 0 || name()
        }
        guard name() else { return nil }
        offset += 8
        guard name(), name(), optionalName(), optionalName() else { return nil }
        return offset
    }

    /// A disk image with its record (not the padding) mutated, its length field sometimes set to
    /// an extreme, and half the time its checksum rewritten to match.
    static func diskImage(_ image: [UInt8], others: [[UInt8]], random: inout FuzzRandom) -> [UInt8] {
        // The header's length delimits the record (slot or tiebreaker alike): bytes 5 and 6.
        let framed = image.count >= 7 ? 7 + (Int(image[5]) << 8 | Int(image[6])) + 8 : image.count
        let recordEnd = min(image.count, framed)
        var bytes = ByteMutator.mutate(Array(image[..<recordEnd]), others: others, random: &random, limit: binaryLimit)
        if random.oneIn(8) {
            ByteMutator.writeInteger(random.pick(ByteMutator.extremes(width: 2)), width: 2, at: 5, into: &bytes)
        }
        if !random.oneIn(4), bytes.count < image.count {
            bytes += Array(repeating: 0, count: image.count - bytes.count)
        }
        return random.oneIn(2) ? DiskRecordCodec.resealed(bytes) : bytes
    }

    /// A JSON line edited as text, or (a quarter of the time) as bytes.
    static func json(_ line: [UInt8], others: [[UInt8]], random: inout FuzzRandom) -> [UInt8] {
        guard random.oneIn(4) else {
            return Array(TextMutator.mutate(String(decoding: line, as: UTF8.self), random: &random).utf8)
        }
        return ByteMutator.mutate(line, others: others, random: &random)
    }
}
