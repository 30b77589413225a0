import NIOCore
import Testing
@testable import VigilCore
@testable import VigilRuntime

/// Every way a packet can be bad is caught, named, and never crashes anything.
@Suite struct WirePacketCodecTests {
    func reason(_ bytes: [UInt8], codec: PacketCodec) -> PacketDropReason? {
        do {
            _ = try codec.decode(bytes: bytes)
            return nil
        } catch {
            return error.reason
        }
    }

    /// Re-signs a packet after changing it, as a sender holding the key would.
    func resigned(_ bytes: [UInt8], change: (inout [UInt8]) -> Void) throws -> [UInt8] {
        var body = Array(bytes.dropLast(PacketCodec.tagSize))
        change(&body)
        let codec = try WireFixture.codec()
        let tag = body.withUnsafeBytes { codec.authenticationTag(for: $0) }
        return body + tag
    }

    @Test func eachDropReason() throws {
        let codec = try WireFixture.codec()
        let good = try codec.encodeBytes(WireFixture.heartbeat())
        #expect(reason(good, codec: codec) == nil)
        #expect(reason([], codec: codec) == .tooShort)
        #expect(reason(Array(good.prefix(PacketCodec.headerSize + PacketCodec.tagSize - 1)), codec: codec) == .tooShort)
        var magic = good; magic[0] ^= 0xff
        #expect(reason(magic, codec: codec) == .badMagic)
        var version = good; version[4] = PacketCodec.formatVersion &+ 1
        #expect(reason(version, codec: codec) == .unsupportedVersion)
        #expect(reason(try WireFixture.codec(clusterID: 21).encodeBytes(WireFixture.heartbeat(clusterID: 21)), codec: codec) == .wrongCluster)
        #expect(reason(good + [0], codec: codec) == .lengthMismatch)
        #expect(reason(Array(good.dropLast()), codec: codec) == .lengthMismatch)
        var tag = good; tag[tag.count - 1] ^= 1
        #expect(reason(tag, codec: codec) == .badTag)
        let otherKey = try WireFixture.codec(secret: Array("another cluster's secret key".utf8))
        #expect(reason(try otherKey.encodeBytes(WireFixture.heartbeat()), codec: codec) == .badTag)
        // Authenticated, but not a valid payload: an unknown kind, a truncated heartbeat, bad JSON.
        #expect(reason(try resigned(good) { $0[5] = 9 }, codec: codec) == .malformedPayload)
        #expect(reason(try resigned(good) { $0[PacketCodec.headerSize + 3] = 200 }, codec: codec) == .malformedPayload)
        let json = try codec.encodeBytes(WireFixture.everyMessage()[2])
        // The JSON ends the payload, just before the tag: its closing brace made a bracket. (`resigned`
        // hands over the packet without its tag: the brace is its last byte. Counting the tag off
        // again once landed inside a name or a number, wherever the dictionary's order put it, and
        // the packet was valid in some runs.)
        let broken = try resigned(json) { body in
            #expect(body.last == UInt8(ascii: "}"))
            body[body.count - 1] = UInt8(ascii: "[")
        }
        #expect(reason(broken, codec: codec) == .malformedPayload)
    }

    @Test func aTamperedByteAnywhereFailsAuthentication() throws {
        let codec = try WireFixture.codec()
        for envelope in [WireFixture.heartbeat(), WireFixture.everyMessage()[4]] {
            let good = try codec.encodeBytes(envelope)
            // Bytes 0..<18 are the header: a change there is caught by the header checks or the tag.
            for index in good.indices {
                var bad = good
                bad[index] ^= 0x01
                let why = reason(bad, codec: codec)
                #expect(why != nil, "a flipped bit at byte \(index) of \(good.count) was accepted")
                if index >= PacketCodec.headerSize { #expect(why == .badTag, "byte \(index)") }
            }
        }
    }

    /// 100,000 random byte strings, and 100,000 random mutations of valid packets (flips, cuts,
    /// insertions, and re-signed payload changes that reach the payload parsers): nothing traps,
    /// and only unchanged packets are accepted.
    @Test func randomBytesAndMutationsNeverCrash() throws {
        let codec = try WireFixture.codec()
        var random = SplitMix64(seed: 0x5EED_0001)
        var reasons: [PacketDropReason: Int] = [:]
        for _ in 0..<100_000 {
            let count = Int(random.next() % 160)
            var bytes = random.bytes(count)
            if count >= 4, random.next() % 2 == 0 { bytes.replaceSubrange(0..<4, with: PacketCodec.magic) }
            if let why = reason(bytes, codec: codec) { reasons[why, default: 0] += 1 } else { Issue.record("random bytes accepted: \(bytes)") }
        }
        let valid = try WireFixture.everyMessage().map { try codec.encodeBytes($0) }
        var accepted = 0
        for round in 0..<100_000 {
            let original = valid[round % valid.count]
            var bytes = original
            let resign = random.next() % 3 == 0
            if resign { bytes.removeLast(PacketCodec.tagSize) }
            for _ in 0...(random.next() % 4) {
                guard !bytes.isEmpty else { break }
                let at = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 4 {
                case 0: bytes[at] ^= UInt8(truncatingIfNeeded: random.next() | 1)
                case 1: bytes.removeSubrange(at...)
                case 2: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: at)
                default: bytes[at] = UInt8(truncatingIfNeeded: random.next())
                }
            }
            if resign { bytes = try resigned(bytes + Array(repeating: 0, count: PacketCodec.tagSize)) { _ in } }
            if let why = reason(bytes, codec: codec) {
                reasons[why, default: 0] += 1
            } else {
                accepted += 1
                if !resign { #expect(bytes == original, "a mutated packet was accepted") }
            }
        }
        print("fuzz drop reasons: \(reasons.sorted { $0.key.rawValue < $1.key.rawValue }), re-signed mutations accepted: \(accepted)")
        #expect(reasons[.malformedPayload, default: 0] > 1000, "the payload parsers were reached")
        #expect(reasons[.badTag, default: 0] > 1000)
        #expect(reasons[.tooShort, default: 0] > 1000)
    }
}
