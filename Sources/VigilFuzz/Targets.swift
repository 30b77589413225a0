import Foundation
import NIOCore
import VigilCore
import VigilFuzzKit
import VigilModel
@_spi(Fuzzing) import VigilRuntime

/// The decoders that face the network and the disk, the admin request decoder, and the
/// configuration loader, as fuzz targets over one corpus.
struct Targets {
    let corpus: Corpus

    var all: [FuzzTarget] { [packet, envelope, disk, tiebreaker, admin, config] }

    /// Whole UDP datagrams into `PacketCodec.decode`. A third of the mutations change the payload
    /// and re-sign it with the cluster key, so that they pass the tag and reach the payload
    /// decoders; accepted packets are encoded again and must decode to the same envelope.
    var packet: FuzzTarget {
        let corpus = corpus
        let summary = "UDP packets: header, HMAC-SHA256 tag, payload (PacketCodec)"
        return FuzzTarget(name: "packet", summary: summary, maximumInput: PacketCodec.maximumPacketSize + 1) { random in
            switch random.below(16) {
            case 0: return random.bytes(random.length(upTo: PacketCodec.maximumPacketSize + 16))
            case 1:
                let magic = PacketCodec.magic + [PacketCodec.formatVersion, random.byte()]
                return magic + random.bytes(random.length(upTo: 4096))
            case 2: return corpus.codec.seal(payload: random.bytes(random.length(upTo: 4096)), kind: random.byte() % 3)
            case 3...7:
                var payload = random.pick(corpus.payloads)
                payload = Mutations.payload(payload, corpus: corpus, random: &random)
                return corpus.codec.seal(payload: Array(payload.dropFirst()), kind: payload.first ?? 0)
            case 8:
                var bytes = random.pick(corpus.packets)
                ByteMutator.writeInteger(random.pick(ByteMutator.extremes(width: 4)), width: 4, at: 14, into: &bytes)
                return bytes
            default:
                let packet = random.pick(corpus.packets)
                return ByteMutator.mutate(packet, others: corpus.packets, random: &random, limit: Mutations.binaryLimit)
            }
        } run: { bytes in
            do {
                let envelope = try corpus.codec.decode(bytes: bytes)
                return Checks.roundTrip(envelope, codec: corpus.codec)
            } catch {
                return .rejected(Checks.kind(of: error))
            }
        }
    }

    /// Payloads behind a valid tag: the kind byte, then the payload (binary heartbeat, or binary
    /// addressing and JSON), through `PacketCodec.decode` of a sealed packet.
    var envelope: FuzzTarget {
        let corpus = corpus
        let summary = "authenticated payloads: binary heartbeats, addressing + JSON (EnvelopeCoding)"
        let largest = PacketCodec.maximumPacketSize - PacketCodec.headerSize - PacketCodec.tagSize + 1
        return FuzzTarget(name: "envelope", summary: summary, maximumInput: largest + 1) { random in
            if random.oneIn(8) { return [random.byte() % 3] + random.bytes(random.length(upTo: 8192)) }
            return Mutations.payload(random.pick(corpus.payloads), corpus: corpus, random: &random)
        } run: { input in
            guard let kind = input.first else { return .rejected("empty") }
            do {
                let packet = corpus.codec.seal(payload: Array(input.dropFirst()), kind: kind)
                let envelope = try corpus.codec.decode(bytes: packet)
                return Checks.roundTrip(envelope, codec: corpus.codec)
            } catch {
                return .rejected(Checks.kind(of: error))
            }
        }
    }

    /// Slot images of the shared disk into `DiskRecordCodec.decode(slot:)`; half the mutations get
    /// their checksum rewritten so that they reach the field parser. A record that decodes is
    /// read by a `DiskHeartbeatReader` (twice: the first read sets its baseline), which opens the
    /// packets of its outbox.
    var disk: FuzzTarget {
        let corpus = corpus
        let summary = "disk heartbeat slot records and their outboxes (DiskRecordCodec, DiskHeartbeatReader)"
        return FuzzTarget(name: "disk", summary: summary, maximumInput: Corpus.slotSize) { random in
            if random.oneIn(8) { return random.bytes(random.length(upTo: Corpus.slotSize)) }
            return Mutations.diskImage(random.pick(corpus.slots), others: corpus.slots, random: &random)
        } run: { bytes in
            switch DiskRecordCodec.decode(slot: bytes) {
            case .failure(let error): return .rejected(Checks.kind(of: error))
            case .success(let record): return Checks.read(record, corpus: corpus)
            }
        }
    }

    /// The tiebreaker sector into `DiskRecordCodec.decodeTiebreaker`.
    var tiebreaker: FuzzTarget {
        let corpus = corpus
        let summary = "the tiebreaker lease record (DiskRecordCodec)"
        return FuzzTarget(name: "tiebreaker", summary: summary, maximumInput: Corpus.slotSize) { random in
            if random.oneIn(8) { return random.bytes(random.length(upTo: 4096)) }
            return Mutations.diskImage(random.pick(corpus.tiebreakers), others: corpus.tiebreakers, random: &random)
        } run: { bytes in
            do {
                let lease = try DiskRecordCodec.decodeTiebreaker(bytes, clusterID: corpus.config.id)
                return lease == nil ? .rejected("blank") : .accepted
            } catch {
                return .rejected(Checks.kind(of: error))
            }
        }
    }

    /// Request lines of the control socket into `AdminWire.request`, then the bounds the daemon
    /// checks (`AdminCommand.problem`).
    var admin: FuzzTarget {
        let corpus = corpus
        let summary = "control socket request lines (AdminWire)"
        let longest = AdminWire.maxLineLength
        return FuzzTarget(name: "admin", summary: summary, maximumInput: longest, isText: true) { random in
            if random.oneIn(8) { return random.bytes(random.length(upTo: 8192)) }
            return Mutations.json(random.pick(corpus.adminLines), others: corpus.adminLines, random: &random)
        } run: { bytes in
            do {
                let command = try AdminWire.request(from: ByteBuffer(bytes: bytes))
                return command.problem == nil ? .accepted : .rejected("out of range")
            } catch let error as AdminWire.Malformed {
                return .rejected(Checks.kind(of: error))
            } catch {
                return .rejected("\(type(of: error))")
            }
        }
    }

    /// The example configurations, mutated, through the loader, `verify` and the timing
    /// arithmetic, as `vigil verify` runs them. Not in the default set: each input takes about a
    /// millisecond; run it with `--only config`.
    var config: FuzzTarget {
        let files = corpus.yamlFiles.map(\.text)
        let summary = "configuration files (ConfigLoader, Verifier, DetectionTimes)"
        let largest = ConfigLimits.largestFileBytes + 1
        return FuzzTarget(
            name: "config", summary: summary, maximumInput: largest, inDefaultSet: false, isText: true
        ) { random in
            Array(TextMutator.mutate(random.pick(files), random: &random).utf8)
        } run: { bytes in
            let (loaded, _) = ConfigLoader.load(yaml: String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml")
            guard let loaded else { return .rejected("load error") }
            let errors = Verifier.verify(loaded).filter { $0.severity == .error }
            let times = DetectionTimes(loaded.config)
            _ = times.nodes.map { DetectionTimes.seconds($0.detection) } + [DetectionTimes.seconds(times.takeoverWait)]
            return errors.isEmpty ? .accepted : .rejected("verify error")
        }
    }
}
