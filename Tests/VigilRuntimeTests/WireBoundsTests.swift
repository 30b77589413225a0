import Foundation
import NIOCore
import Testing
import VigilFuzzKit
@testable import VigilCore
@testable @_spi(Fuzzing) import VigilRuntime

/// Values a decoder accepts are bounded: a received duration or moment beyond
/// `WireLimits.longestDuration` is a malformed message, dropped and counted, so that the core and
/// the status can compute with what they receive. Before the bound, an authenticated peer could
/// send an acceptance whose `lastHeardAgo` was near the most negative `Duration` (JSON
/// `[-9223372036854775808, 0]`), and the coordinator's `now - age` (`ClusterNode.onAccept`)
/// trapped on the overflow; moments and stamps beyond 2^63 seconds trap wherever their
/// milliseconds are taken (`Duration.components`).
@Suite struct WireBoundsTests {
    static let huge = Duration(secondsComponent: Int64.max, attosecondsComponent: 999_999_999_999_999_999)

    func reason(_ envelope: Envelope) throws -> PacketDropReason? {
        let codec = try WireFixture.codec()
        let packet = try codec.encodeBytes(envelope)
        do {
            _ = try codec.decode(bytes: packet)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func anAcceptanceWithAnAgeBeyondTheBoundIsMalformed() throws {
        var envelope = try #require(WireFixture.everyMessage().first {
            if case .accept = $0.message { true } else { false }
        })
        guard case .accept(var acceptance) = envelope.message else { return }
        #expect(try reason(envelope) == nil)
        for age in [Self.huge, .zero - Self.huge, WireLimits.longestDuration + .seconds(1)] {
            acceptance.lastHeardAgo = ["ghost4": age]
            envelope.message = .accept(acceptance)
            #expect(try reason(envelope) == .malformedPayload, "age \(age)")
        }
        acceptance.lastHeardAgo = ["ghost4": WireLimits.longestDuration]
        envelope.message = .accept(acceptance)
        #expect(try reason(envelope) == nil, "the bound itself is accepted")
    }

    @Test func aStateWithAnEventMomentBeyondTheBoundIsMalformed() throws {
        var envelope = try #require(WireFixture.everyMessage().first {
            if case .state = $0.message { true } else { false }
        })
        guard case .state(var state) = envelope.message else { return }
        state.events[0].started = Moment(.zero - Self.huge)
        envelope.message = .state(state)
        #expect(try reason(envelope) == .malformedPayload)
    }

    @Test func aHeartbeatStampOrEchoBeyondTheBoundIsMalformed() throws {
        var envelope = WireFixture.heartbeat()
        guard case .heartbeat(var beat) = envelope.message else { Issue.record("not a heartbeat"); return }
        beat.stamp = Duration(secondsComponent: Int64.max, attosecondsComponent: 0)
        envelope.message = .heartbeat(beat)
        #expect(try reason(envelope) == .malformedPayload)
        beat.stamp = .seconds(1)
        beat.echo = Duration(secondsComponent: Int64.min, attosecondsComponent: 0)
        envelope.message = .heartbeat(beat)
        #expect(try reason(envelope) == .malformedPayload)
    }

    @Test func aDiskRecordWithAStampBeyondTheBoundIsMalformed() throws {
        var record = DiskSlotRecord(
            clusterID: 20, node: "ghost2", incarnation: 1, sequence: 1, view: ViewID(epoch: 1, coordinator: "ghost1"),
            installedEpoch: 1, stamp: .seconds(5), echoes: ["ghost1": .seconds(4)])
        #expect((try? DiskRecordCodec.decode(slot: DiskRecordCodec.encode(record, slotSize: 4096)).get()) == record)
        record.echoes = ["ghost1": Duration(secondsComponent: -(Int64(1) << 41), attosecondsComponent: 0)]
        let image = try DiskRecordCodec.encode(record, slotSize: 4096)
        guard case .failure(.malformed(let why)) = DiskRecordCodec.decode(slot: image) else {
            Issue.record("an echo of -2^41 s was accepted")
            return
        }
        #expect(why.contains("out of range"))
    }

    @Test func sealedPayloadsReachThePayloadDecoders() throws {
        let codec = try WireFixture.codec()
        let packet = try codec.encodeBytes(WireFixture.heartbeat())
        let payload = Array(packet[PacketCodec.headerSize..<(packet.count - PacketCodec.tagSize)])
        #expect(codec.seal(payload: payload, kind: packet[5]) == packet)
        #expect((try? codec.decode(bytes: codec.seal(payload: payload.dropLast(), kind: 1))) == nil)
    }

    @Test func aResealedDiskImageReachesTheFieldParser() throws {
        let record = DiskSlotRecord(
            clusterID: 20, node: "ghost2", incarnation: 1, sequence: 1, view: ViewID(epoch: 1, coordinator: "ghost1"),
            installedEpoch: 1, stamp: .seconds(5))
        var image = try DiskRecordCodec.encode(record, slotSize: 4096)
        image[7 + 8] = 200  // the node name's length byte, past the body
        guard case .failure(.checksumMismatch) = DiskRecordCodec.decode(slot: image) else {
            Issue.record("a changed byte passed the checksum")
            return
        }
        guard case .failure(.malformed) = DiskRecordCodec.decode(slot: DiskRecordCodec.resealed(image)) else {
            Issue.record("the resealed image did not reach the field parser")
            return
        }
    }

    /// Counters too: a key holder's epoch of 2^64 - 1 (in a proposal, a decline's `promised`, a
    /// heartbeat's view) made the next proposal's `epoch + 1` trap; an incarnation near 2^64 the
    /// `incarnation + 1` of a restart.
    @Test func countersBeyondTheBoundAreMalformed() throws {
        let limit = WireLimits.largestCounter
        var decline = try #require(WireFixture.everyMessage().first {
            if case .decline = $0.message { true } else { false }
        })
        guard case .decline(var body) = decline.message else { return }
        body.promised = UInt64.max
        decline.message = .decline(body)
        #expect(try reason(decline) == .malformedPayload)
        body.promised = limit
        decline.message = .decline(body)
        #expect(try reason(decline) == nil, "the bound itself is accepted")

        var beat = WireFixture.heartbeat()
        guard case .heartbeat(var heartbeat) = beat.message else { Issue.record("not a heartbeat"); return }
        heartbeat.view.epoch = limit + 1
        beat.message = .heartbeat(heartbeat)
        #expect(try reason(beat) == .malformedPayload)
        heartbeat.view.epoch = 7
        beat.message = .heartbeat(heartbeat)
        beat.incarnation = UInt64.max
        #expect(try reason(beat) == .malformedPayload)
    }

    /// The messages that check their own bounds (`WireBounded`) agree with the reflection walk on
    /// every field: each number of every full message is pushed out of bounds in turn (a counter
    /// above 2^62, a duration's high word beyond 2^40 s), and both checks must give the same
    /// answer. A counter or duration added to one of these types and forgotten in its
    /// conformance makes them differ here.
    @Test func selfCheckedMessagesAgreeWithTheReflectionWalkOnEveryNumber() throws {
        let outOfBounds = ["4611686018427387905", "18446744073709551615", "-9223372036854775808", "68719476736"]
        var refused = 0
        var compared = 0
        for envelope in WireFixture.everyMessage() {
            if case .heartbeat = envelope.message { continue }
            let json = Array(try JSONEncoder().encode(envelope.message))
            #expect(WireLimits.valuesAreBounded(envelope.message))
            for number in Self.integerTokens(in: json) {
                for replacement in outOfBounds {
                    let mutated = Array(json[..<number.lowerBound]) + Array(replacement.utf8) + Array(json[number.upperBound...])
                    guard let message = try? JSONDecoder().decode(Message.self, from: Data(mutated)) else { continue }
                    let fast = WireLimits.valuesAreBounded(message)
                    let reflected = WireLimits.reflectedValuesAreBounded(message)
                    #expect(fast == reflected, "\(String(decoding: mutated, as: UTF8.self).prefix(300))")
                    compared += 1
                    if !reflected { refused += 1 }
                }
            }
        }
        #expect(compared > 100)
        #expect(refused > 50, "the mutations reached counters and durations")
    }

    /// The byte ranges of the integers in a JSON text.
    static func integerTokens(in json: [UInt8]) -> [Range<Int>] {
        var tokens: [Range<Int>] = []
        var index = 0
        var inString = false
        while index < json.count {
            let byte = json[index]
            if inString {
                if byte == UInt8(ascii: "\\") { index += 2; continue }
                if byte == UInt8(ascii: "\"") { inString = false }
                index += 1
            } else if byte == UInt8(ascii: "\"") {
                inString = true
                index += 1
            } else if byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                let start = index
                index += 1
                while index < json.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(json[index]) { index += 1 }
                tokens.append(start..<index)
            } else {
                index += 1
            }
        }
        return tokens
    }
}
