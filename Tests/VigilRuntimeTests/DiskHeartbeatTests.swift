import Foundation
import NIOPosix
import Testing
@testable import VigilCore
import VigilModel
@testable import VigilRuntime

/// The disk heartbeat on a real file: two nodes write their slots and read each other's, through
/// the core's own heartbeats; torn, corrupt and stale slots are not trusted; the outbox delivers once.
@Suite(.serialized) struct DiskHeartbeatTests {
    static let clusterID = 20

    /// Nodes `a`, `b` and `c` (in that order: slots 0, 1, 2) on the disk network `dsk` at `path`.
    static func config(path: String) -> ClusterConfig {
        ClusterConfig(
            name: "trio", id: clusterID, networks: [Network(name: "dsk", type: "disk", kind: .disk(device: path))],
            nodes: ["a", "b", "c"].map {
                Node(name: $0, interfaces: [Interface(name: "hb0", label: "\($0)_hb", role: .boot, device: path, network: "dsk")])
            })
    }

    /// One node's view of the shared disk: its own device handle, writer and reader.
    struct Member {
        let disk: DiskHeartbeat
        var writer: DiskHeartbeatWriter
        var reader: DiskHeartbeatReader

        /// Writes a record with the view epoch `epoch` and a stamp of `stamp` ms.
        mutating func beat(epoch: UInt64 = 4, stamp: Int = 1000, echoes: [String: Duration] = [:], holdings: [String] = []) async throws {
            let record = writer.record(
                view: ViewID(epoch: epoch, coordinator: "a"), installedEpoch: epoch, stamp: .milliseconds(stamp),
                echoes: echoes, holdings: holdings, slotSize: disk.device.layout.slotSize)
            try await disk.writeOwnSlot(record)
        }

        mutating func read() async throws -> DiskInbox { reader.absorb(try await disk.readAll()) }
    }

    final class Fixture: Sendable {
        let path: String
        let config: ClusterConfig
        let layout: DiskLayout
        let pool: NIOThreadPool

        init() {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-disk-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).img").path
            config = DiskHeartbeatTests.config(path: path)
            layout = DiskLayout(nodeSlots: config.nodes.count)
            pool = NIOThreadPool(numberOfThreads: 2)
            pool.start()
        }

        func member(_ name: String, incarnation: UInt64 = 1, directIO: Bool = false, secret: [UInt8] = WireFixture.secret) throws -> Member {
            let codec = try WireFixture.codec(clusterID: DiskHeartbeatTests.clusterID, secret: secret)
            let device = try DiskDevice(path: path, layout: layout, create: true, directIO: directIO)
            return Member(
                disk: DiskHeartbeat(device: device, clusterID: config.id, slot: config.rank(of: name)!, threadPool: pool),
                writer: DiskHeartbeatWriter(clusterID: config.id, node: name, incarnation: incarnation, codec: codec, outboxLifetime: 3),
                reader: DiskHeartbeatReader(config: config, me: name, network: "dsk", codec: codec))
        }

        /// Overwrites bytes of the file directly, as a failing disk or a torn write would.
        func scribble(_ bytes: [UInt8], at offset: Int) throws {
            let handle = try #require(FileHandle(forUpdatingAtPath: path))
            try handle.seek(toOffset: UInt64(offset))
            try handle.write(contentsOf: bytes)
            try handle.close()
        }

        func finish() async throws {
            try await pool.shutdownGracefully()
            try FileManager.default.removeItem(atPath: path)
        }
    }

    func withFixture(_ body: (Fixture) async throws -> Void) async throws {
        let fixture = Fixture()
        do {
            try await body(fixture)
        } catch {
            try await fixture.finish()
            throw error
        }
        try await fixture.finish()
    }

    @Test func twoWritersOnOneFileHearEachOtherThroughTheCore() async throws {
        try await withFixture { fixture in
            var a = try fixture.member("a")
            var b = try fixture.member("b")
            var topologyA = LocalTopology(config: fixture.config, me: "a")
            var topologyB = LocalTopology(config: fixture.config, me: "b")
            func write(_ member: inout Member, _ topology: inout LocalTopology, at ms: Int) async throws {
                let due = topology.heartbeats(
                    at: Moment(.milliseconds(ms)), incarnation: 1, view: ViewID(epoch: 4, coordinator: "a"), installedEpoch: 4).due
                let made = member.writer.record(heartbeats: due, holdings: ["SH2"], slotSize: fixture.layout.slotSize)
                let record = try #require(made)
                try await member.disk.writeOwnSlot(record)
            }
            try await write(&a, &topologyA, at: 1000)
            try await write(&b, &topologyB, at: 1000)
            // The first read is the baseline: records already there may be old.
            #expect(try await a.read().heard.isEmpty)
            #expect(try await b.read().heard.isEmpty)
            try await write(&a, &topologyA, at: 1500)
            let inbox = try await b.read()
            #expect(inbox.heard == ["a"])
            #expect(inbox.holdings["a"] == ["SH2"])
            #expect(inbox.faults.isEmpty, "c's slot is blank, which is no fault: \(inbox.faults)")
            let envelope = try #require(inbox.envelopes.first)
            #expect(envelope.from == "a" && envelope.to == "b" && envelope.network == "dsk")
            #expect(envelope.fromAdapter == "hb0" && envelope.toAdapter == "hb0")
            guard case .heartbeat(let beat) = envelope.message else { Issue.record("not a heartbeat: \(envelope)"); return }
            #expect(beat.stamp == .milliseconds(1500) && beat.view == ViewID(epoch: 4, coordinator: "a"))
            topologyB.heard(from: "a", incarnation: envelope.incarnation, network: "dsk", onAdapter: envelope.toAdapter,
                            heartbeat: beat, at: Moment(.milliseconds(1600)))
            #expect(topologyB.hears("a", on: "dsk", at: Moment(.milliseconds(1600))))
            // b's next record echoes a's stamp back to a, as its UDP heartbeats would.
            try await write(&b, &topologyB, at: 2000)
            let back = try await a.read()
            #expect(back.heard == ["b"])
            guard case .heartbeat(let echoed)? = back.envelopes.first?.message else { Issue.record("no heartbeat from b"); return }
            #expect(echoed.echo == .milliseconds(1500))
        }
    }

    @Test func aStaleSlotIsNotHeardAndARestartIs() async throws {
        try await withFixture { fixture in
            var a = try fixture.member("a")
            var b = try fixture.member("b")
            try await a.beat()
            _ = try await b.read()
            try await a.beat()
            #expect(try await b.read().heard == ["a"])
            #expect(try await b.read().heard == [], "a did not write since the last read")
            #expect(try await b.read().envelopes.isEmpty)
            // a restarts: a new incarnation starts its sequence again from 1, and is heard.
            var restarted = try fixture.member("a", incarnation: 2)
            try await restarted.beat()
            #expect(try await b.read().heard == ["a"])
        }
    }

    /// A live reconfiguration that adds node c: a reader of the two-node version never reads c's
    /// slot; laid out and reading by the three-node version, it hears c, and still hears a
    /// without taking a's next record for a restart.
    @Test func aReaderFollowsAVersionThatAddsANode() async throws {
        try await withFixture { fixture in
            var a = try fixture.member("a")
            var c = try fixture.member("c")
            var pair = fixture.config
            pair.nodes.removeLast()
            let codec = try WireFixture.codec(clusterID: Self.clusterID)
            let twoSlots = DiskHeartbeat(
                device: try DiskDevice(path: fixture.path, layout: DiskLayout(nodeSlots: 2), create: true),
                clusterID: Self.clusterID, slot: 1, threadPool: fixture.pool)
            var b = Member(
                disk: twoSlots,
                writer: DiskHeartbeatWriter(clusterID: Self.clusterID, node: "b", incarnation: 1, codec: codec),
                reader: DiskHeartbeatReader(config: pair, me: "b", network: "dsk", codec: codec))
            try await a.beat()
            try await c.beat()
            _ = try await b.read()
            try await a.beat(stamp: 1100)
            try await c.beat(stamp: 1100)
            #expect(try await b.read().heard == ["a"], "the two-node version has no slot for c")

            b = Member(
                disk: DiskHeartbeat(
                    device: try DiskDevice(path: fixture.path, layout: fixture.layout), clusterID: Self.clusterID,
                    slot: 1, threadPool: fixture.pool),
                writer: b.writer, reader: b.reader)
            b.reader.reconfigure(to: fixture.config)
            try await c.beat(stamp: 1200)
            #expect(try await b.read().heard == ["c"], "a wrote nothing new; c is heard")
            try await a.beat(stamp: 1300)
            #expect(try await b.read().heard == ["a"])
        }
    }

    @Test func aCorruptOrTornSlotIsReportedNotTrusted() async throws {
        try await withFixture { fixture in
            var a = try fixture.member("a")
            var b = try fixture.member("b")
            try await a.beat(holdings: ["SH2", "SH3"])
            _ = try await b.read()
            try await a.beat(holdings: ["SH2", "SH3"])
            try fixture.scribble([0xEE], at: fixture.layout.offset(ofSlot: 0) + 30)
            let slots = try await b.disk.readAll()
            #expect(slots[0] == .failure(.checksumMismatch))
            let inbox = b.reader.absorb(slots)
            #expect(inbox.heard.isEmpty && inbox.envelopes.isEmpty)
            #expect(inbox.faults["a"] == .checksumMismatch)
            // A torn write: the first half of a newer record over the older one.
            try await a.beat(holdings: ["SH2"])
            let newer = a.writer.record(view: ViewID(epoch: 5, coordinator: "a"), installedEpoch: 5, stamp: .seconds(9),
                                        echoes: ["b": .seconds(8)], holdings: [], slotSize: fixture.layout.slotSize)
            let image = try DiskRecordCodec.encode(newer, slotSize: fixture.layout.slotSize)
            try fixture.scribble(Array(image.prefix(40)), at: fixture.layout.offset(ofSlot: 0))
            #expect(try await b.read().faults["a"] == .checksumMismatch)
            // Garbage of every kind is named, never trusted.
            try fixture.scribble(Array("XXXX".utf8), at: fixture.layout.offset(ofSlot: 0))
            #expect(try await b.read().faults["a"] == .badMagic)
            try fixture.scribble(image, at: fixture.layout.offset(ofSlot: 2))
            #expect(try await b.read().faults["c"] == .unexpectedNode(expected: "c", found: "a"))
            // Another cluster's record in a's slot (two clusters pointed at one disk): not a's.
            var foreign = newer
            foreign.clusterID = Self.clusterID + 1
            try fixture.scribble(try DiskRecordCodec.encode(foreign, slotSize: fixture.layout.slotSize),
                                 at: fixture.layout.offset(ofSlot: 0))
            let afterForeign = try await b.read()
            #expect(afterForeign.faults["a"] == .wrongCluster(Self.clusterID + 1))
            #expect(afterForeign.heard.isEmpty)
        }
    }

    @Test func theTiebreakerRoundTrips() async throws {
        try await withFixture { fixture in
            let a = try fixture.member("a")
            let b = try fixture.member("b")
            #expect(try await a.disk.readTiebreaker() == nil)
            #expect(await b.disk.perform(.read) == .read(nil))
            let claim = TiebreakerRecord(owner: "a", incarnation: 7, sequence: 3)
            #expect(await a.disk.perform(.write(claim)) == .written)
            #expect(try await b.disk.readTiebreaker() == claim)
            let renewal = TiebreakerRecord(owner: "b", incarnation: 2, sequence: 4)
            try await b.disk.writeTiebreaker(renewal)
            #expect(await a.disk.perform(.read) == .read(renewal))
            // The slots are untouched by the tiebreaker, and the reverse.
            #expect(try await a.disk.readAll().values.allSatisfy { $0 == .failure(.blank) })
            try fixture.scribble([1, 2, 3], at: 20)
            guard case .failed(let why) = await a.disk.perform(.read) else { Issue.record("a corrupt tiebreaker was read"); return }
            #expect(why.contains("checksum"))
        }
    }

    @Test func outboxMessagesAreDeliveredOnceToTheirAddressee() async throws {
        try await withFixture { fixture in
            var a = try fixture.member("a")
            var b = try fixture.member("b")
            var c = try fixture.member("c")
            try await a.beat()
            _ = try await b.read()
            _ = try await c.read()
            let toB = Envelope(clusterID: Self.clusterID, from: "a", incarnation: 1, to: "b", network: "dsk",
                               message: .decline(Decline(epoch: 5, promised: 6, follows: "a")))
            var toC = toB
            toC.to = "c"
            try a.writer.post(toB)
            try a.writer.post(toC)
            try await a.beat()
            let first = try await b.read()
            #expect(first.envelopes.count == 2)
            #expect(first.envelopes.last == toB)
            #expect(try await c.read().envelopes.last == toC)
            // The message stays in the slot for its lifetime, but is taken only once.
            try await a.beat()
            let second = try await b.read()
            #expect(second.heard == ["a"])
            #expect(second.envelopes.count == 1, "only the heartbeat: \(second.envelopes)")
            #expect(a.writer.pendingMessages == 2, "2 of 3 writes of the messages' lifetime have passed")
            try await a.beat()
            #expect(try await b.read().envelopes.count == 1)
            #expect(a.writer.pendingMessages == 0, "3 writes of lifetime have passed")
            try await a.beat()
            #expect(try await b.disk.readAll()[0]?.map { $0.outbox.count } == .success(0))
            // A message from a node without the cluster key is rejected.
            var forger = try fixture.member("a", incarnation: 3, secret: Array("not the cluster key, really".utf8))
            try forger.writer.post(toB)
            try await forger.beat()
            let forged = try await b.read()
            #expect(forged.rejected.map(\.reason) == [.badTag])
            #expect(forged.envelopes.count == 1)
        }
    }

    @Test func aFullOutboxDropsItsOldestAndLongMessagesAreRefused() throws {
        var writer = DiskHeartbeatWriter(
            clusterID: Self.clusterID, node: "a", incarnation: 1, codec: try WireFixture.codec(), outboxLimit: 2)
        for epoch in 1...3 as ClosedRange<UInt64> {
            try writer.post(Envelope(clusterID: Self.clusterID, from: "a", incarnation: 1, to: "b", network: "dsk",
                                     message: .decline(Decline(epoch: epoch, promised: epoch, follows: "a"))))
        }
        let record = writer.record(view: ViewID(epoch: 1, coordinator: "a"), installedEpoch: 1, stamp: .zero, echoes: [:], holdings: [], slotSize: 4096)
        #expect(record.outbox.map(\.sequence) == [2, 3])
        #expect(record.sequence == 1)
        let state = Envelope(clusterID: Self.clusterID, from: "a", incarnation: 1, to: "b", network: "dsk",
                             message: WireFixture.everyMessage()[6].message)
        #expect(throws: DiskRecordError.self) { try writer.post(state) }
    }

    /// A 32-node record (echoes from 31 peers, 32 groups held, a full outbox) fits one 4 KiB slot.
    @Test func aRecordOf32NodesFitsASlot() throws {
        var writer = DiskHeartbeatWriter(clusterID: Self.clusterID, node: "node1", incarnation: 1_763_790_000_123, codec: try WireFixture.codec())
        for peer in 2...9 {
            try writer.post(Envelope(clusterID: Self.clusterID, from: "node1", incarnation: 1_763_790_000_123, to: "node\(peer)",
                                     network: "disk", message: .decline(Decline(epoch: 41, promised: 42, follows: "node1"))))
        }
        let echoes = Dictionary(uniqueKeysWithValues: (2...32).map { ("node\($0)", Duration.milliseconds(86_400_000 + $0)) })
        let record = writer.record(view: ViewID(epoch: 42, coordinator: "node1"), installedEpoch: 42, stamp: .milliseconds(86_400_500),
                                   echoes: echoes, holdings: (1...32).map { "group\($0)" }, slotSize: 4096)
        let image = try DiskRecordCodec.encode(record, slotSize: 4096)
        let used = DiskRecordCodec.headerSize + (Int(image[5]) << 8 | Int(image[6])) + DiskRecordCodec.checksumSize
        print("disk sizes: 32-node record with 8 outbox messages uses \(used) of 4096 bytes")
        #expect(record.outbox.count == 8)
        #expect(used <= 4096)
    }

    @Test func directIOReadsWhatWasWritten() async throws {
        try await withFixture { fixture in
            var a = try fixture.member("a", directIO: true)
            var b = try fixture.member("b", directIO: true)
            try await a.beat()
            _ = try await b.read()
            try await a.beat(stamp: 2000)
            #expect(try await b.read().heard == ["a"])
            try await a.disk.writeTiebreaker(TiebreakerRecord(owner: "a", incarnation: 1, sequence: 1))
            #expect(try await b.disk.readTiebreaker()?.owner == "a")
        }
    }

    @Test func slotRecordsRoundTripAndRandomSlotsNeverCrash() throws {
        var record = DiskSlotRecord(
            clusterID: Self.clusterID, node: "ghost3", incarnation: 99, sequence: 12, view: ViewID(epoch: 4, coordinator: "ghost1"),
            installedEpoch: 4, stamp: .milliseconds(123_456), echoes: ["ghost1": .seconds(1), "ghost2": .seconds(2)],
            holdings: ["SH2", "IP4"], outbox: [DiskOutboxMessage(to: "ghost1", sequence: 3, packet: [1, 2, 3])])
        record.ipPeers = ["ghost4"]
        record.disconnected = true
        let image = try DiskRecordCodec.encode(record, slotSize: 4096)
        #expect(image.count == 4096)
        #expect(DiskRecordCodec.decode(slot: image) == .success(record))
        let usedBytes = DiskRecordCodec.headerSize + (Int(image[5]) << 8 | Int(image[6])) + DiskRecordCodec.checksumSize
        #expect(image[usedBytes...].allSatisfy { $0 == 0 } && image[usedBytes - 1] != 0 || image[usedBytes - 2] != 0)
        var random = SplitMix64(seed: 7)
        var failures = 0
        for round in 0..<20_000 {
            var bytes = round % 2 == 0 ? image : random.bytes(Int(random.next() % 300))
            if round % 2 == 0 {
                // Within the record: the zeros after it are padding, outside the checksum.
                bytes[Int(random.next() % UInt64(usedBytes))] ^= UInt8(truncatingIfNeeded: random.next() | 1)
            } else if bytes.count >= 4 {
                bytes.replaceSubrange(0..<4, with: Array("VGDS".utf8))
            }
            if case .failure = DiskRecordCodec.decode(slot: bytes) { failures += 1 }
        }
        #expect(failures == 20_000)
    }
}
