import Foundation
import NIOCore
import Testing
@testable import VigilCore
@testable @_spi(Fuzzing) import VigilRuntime

/// Foundation's `JSONDecoder` traps on a document of exactly 513 `[` (the depth error's location is
/// read past the end). `vigil-fuzz --only envelope` found it at input 671248 of seed 1: a re-signed
/// JSON payload of 513 `[` behind valid addressing killed the process. Every JSON Vigil reads from
/// outside is now refused past `JSONInput.maximumDepth` before the decoder sees it.
@Suite struct JSONInputTests {
    static let bomb = String(repeating: "[", count: 513)

    @Test func nestingPastTheLimitIsRefusedAndStringsDoNotCount() {
        #expect(JSONInput.problem(Array(Self.bomb.utf8)) == "JSON nested more than 64 deep")
        let deepest = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(JSONInput.problem(Array(deepest.utf8)) == nil)
        #expect(JSONInput.problem(Array("{\"a\": \"\(Self.bomb)\\\"\(Self.bomb)\"}".utf8)) == nil)
        #expect(JSONInput.problem(Array(("]]]]" + String(repeating: "[", count: 65)).utf8)) != nil)
    }

    @Test func everyMessageIsWithinTheLimit() throws {
        let codec = try WireFixture.codec()
        for envelope in WireFixture.everyMessage() {
            #expect(try codec.decode(bytes: codec.encodeBytes(envelope)) == envelope)
        }
    }

    @Test func aSignedPayloadOf513BracketsIsMalformed() throws {
        let codec = try WireFixture.codec()
        let json = try #require(WireFixture.everyMessage().first {
            if case .propose = $0.message { true } else { false }
        })
        let packet = try codec.encodeBytes(json)
        let payload = Array(packet[PacketCodec.headerSize..<(packet.count - PacketCodec.tagSize)])
        let addressing = Array(payload.prefix { $0 != UInt8(ascii: "{") })
        do {
            _ = try codec.decode(bytes: codec.seal(payload: addressing + Array(Self.bomb.utf8), kind: 2))
            Issue.record("513 brackets were accepted")
        } catch {
            #expect(error.reason == .malformedPayload)
            #expect(error.detail.contains("nested more than 64 deep"))
        }
    }

    @Test func aRequestOrAnswerLineOf513BracketsIsMalformed() {
        #expect(throws: AdminWire.Malformed.self) { try AdminWire.request(from: ByteBuffer(string: Self.bomb)) }
        #expect(throws: AdminWire.Malformed.self) { try AdminWire.response(from: ByteBuffer(string: Self.bomb)) }
    }
}
