import VigilCore
import VigilRuntime

/// What the targets check beyond "it returned": that an accepted envelope survives encoding again,
/// and that a record accepted from the disk can be read by the daemon's reader. A failed check is
/// an outcome whose kind starts with `FAIL`: the run reports it and exits with status 1.
enum Checks {
    /// The prefix of the kinds that are findings rather than rejections.
    static let failure = "FAIL"

    /// An accepted envelope, encoded again, decodes to itself. (Encoding may refuse it, e.g. a
    /// JSON body that grows past the largest datagram once re-escaped: that is no finding.)
    static func roundTrip(_ envelope: Envelope, codec: PacketCodec) -> Outcome {
        guard let again = try? codec.encodeBytes(envelope) else { return .accepted }
        do {
            let decoded = try codec.decode(bytes: again)
            return decoded == envelope ? .accepted : .rejected("\(failure): re-encoded envelope decodes differently")
        } catch {
            return .rejected("\(failure): re-encoded envelope is refused: \(error.reason)")
        }
    }

    /// A decoded record, read by a `DiskHeartbeatReader` of ghost3 in its slot: once to set the
    /// baseline, once advanced, which delivers its heartbeat and opens its outbox.
    static func read(_ record: DiskSlotRecord, corpus: Corpus) -> Outcome {
        let me = "ghost3"
        guard let slot = corpus.config.nodes.firstIndex(where: { $0.name == record.node }), record.node != me else {
            return .accepted
        }
        var reader = DiskHeartbeatReader(config: corpus.config, me: me, network: "disk", codec: corpus.codec)
        _ = reader.absorb([slot: .success(record)])
        var next = record
        next.sequence &+= 1
        let inbox = reader.absorb([slot: .success(next)])
        return inbox.rejected.isEmpty ? .accepted : .rejected("accepted, outbox packet refused")
    }

    /// The name of an error's kind, for the report: a packet's drop reason (with the payload kind
    /// of a malformed one), a disk record error's case.
    static func kind(of error: any Error) -> String {
        if let packet = error as? PacketError {
            guard packet.reason == .malformedPayload else { return packet.reason.rawValue }
            let head = packet.detail.prefix { $0 != ":" }
            return "malformedPayload/" + (head.hasPrefix("unknown payload kind") ? "unknown kind" : head)
        }
        if let disk = error as? DiskRecordError {
            switch disk {
            case .blank: return "blank"
            case .badMagic: return "badMagic"
            case .unsupportedVersion: return "unsupportedVersion"
            case .badLength: return "badLength"
            case .checksumMismatch: return "checksumMismatch"
            case .malformed: return "malformed"
            case .wrongCluster: return "wrongCluster"
            case .unexpectedNode: return "unexpectedNode"
            case .tooLarge: return "tooLarge"
            }
        }
        if let malformed = error as? AdminWire.Malformed {
            let text = malformed.description
            if text.hasPrefix("malformed request: not a JSON object") { return "not a JSON object" }
            if text.hasPrefix("unsupported protocol version") { return "unsupported version" }
            return "malformed request"
        }
        return String(describing: type(of: error))
    }
}
