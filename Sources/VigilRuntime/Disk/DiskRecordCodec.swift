import Crypto
import NIOCore
import VigilCore

/// The binary form of disk records: a slot's heartbeat record and the tiebreaker record.
///
///     offset  size  field
///          0     4  magic ("VGDS" for a node slot, "VGTB" for the tiebreaker)
///          4     1  format version (1)
///          5     2  body length n (UInt16, big-endian)
///          7     n  body
///        7+n     8  checksum: the first 8 bytes of SHA-256 over bytes 0..<7+n
///
/// and zeros to the end of the slot. A checksum rather than an authentication tag: whoever can
/// write the shared disk can destroy the data on it anyway; what must be caught is a torn write
/// (a slot read while its owner rewrites it) and a corrupt sector. The messages in an outbox are
/// authenticated packets, so nothing reaches the core from the disk without the cluster key but
/// the heartbeat fields themselves.
public enum DiskRecordCodec {
    static let slotMagic: [UInt8] = Array("VGDS".utf8)
    static let tiebreakerMagic: [UInt8] = Array("VGTB".utf8)
    static let formatVersion: UInt8 = 1
    static let headerSize = 7
    static let checksumSize = 8
    /// The most peers a record holds echoes for, groups it lists, and outbox messages it carries.
    public static let maximumEchoes = 255
    public static let maximumHoldings = 1024
    public static let maximumOutbox = 32

    /// The slot image of a node's record, `slotSize` bytes.
    public static func encode(_ record: DiskSlotRecord, slotSize: Int) throws(DiskRecordError) -> [UInt8] {
        try encode(record, slotSize: slotSize, padding: true)
    }

    private static func encode(_ record: DiskSlotRecord, slotSize: Int, padding: Bool) throws(DiskRecordError)
        -> [UInt8]
    {
        guard record.echoes.count <= maximumEchoes, record.holdings.count <= maximumHoldings,
            record.outbox.count <= maximumOutbox
        else { throw .malformed("too many echoes, holdings or outbox messages") }
        var body = ByteBuffer()
        do {
            body.writeInteger(Int64(record.clusterID))
            try body.writeName(record.node)
            body.writeInteger(record.incarnation)
            body.writeInteger(record.sequence)
            body.writeInteger(record.view.epoch)
            try body.writeName(record.view.coordinator)
            body.writeInteger(record.installedEpoch)
            body.writeDuration(record.stamp)
            body.writeInteger(UInt8(record.echoes.count))
            for (peer, stamp) in record.echoes.sorted(by: { $0.key < $1.key }) {
                try body.writeName(peer)
                body.writeDuration(stamp)
            }
            let hasLinks = !record.links.isEmpty
            body.writeInteger(UInt8(record.disconnected ? 1 : 0) | UInt8(hasLinks ? 2 : 0))
            body.writeInteger(UInt8(min(record.ipPeers.count, maximumEchoes)))
            for peer in record.ipPeers.prefix(maximumEchoes) { try body.writeName(peer) }
            if hasLinks { try body.writeNodeMask(record.links) }
            body.writeInteger(UInt16(record.holdings.count))
            for group in record.holdings { try body.writeName(group) }
            body.writeInteger(UInt8(record.outbox.count))
            for message in record.outbox {
                try body.writeName(message.to)
                body.writeInteger(message.sequence)
                guard message.packet.count <= Int(UInt16.max) else {
                    throw DiskRecordError.tooLarge(bytes: message.packet.count, limit: Int(UInt16.max))
                }
                body.writeInteger(UInt16(message.packet.count))
                body.writeBytes(message.packet)
            }
        } catch let error as DiskRecordError {
            throw error
        } catch {
            throw .malformed("\(error)")
        }
        return try frame(magic: slotMagic, body: body, slotSize: slotSize, padding: padding)
    }

    /// The start of a node's slot image: the record framed as by `encode(_:slotSize:)`, padded
    /// with zeros to whole 4096-byte blocks only (`DiskLayout.alignment`), not to the slot's end.
    /// Writing this over a slot leaves the rest of the slot as it was, which readers never look at:
    /// the header's length and the checksum delimit the record.
    public static func encodePrefix(_ record: DiskSlotRecord, slotSize: Int) throws(DiskRecordError) -> [UInt8] {
        var image = try encode(record, slotSize: slotSize, padding: false)
        let blocks = (image.count + DiskLayout.alignment - 1) / DiskLayout.alignment
        image.append(contentsOf: repeatElement(0, count: blocks * DiskLayout.alignment - image.count))
        return image
    }

    /// How many bytes the framed record at the start of `prefix` (at least its 7-byte header) takes,
    /// checksum included; `nil` when the header is not a slot record's (blank, foreign or torn).
    public static func framedLength(prefix: some Collection<UInt8>) -> Int? {
        guard prefix.count >= headerSize, prefix.starts(with: slotMagic) else { return nil }
        let bytes = Array(prefix.prefix(headerSize))
        return headerSize + (Int(bytes[5]) << 8 | Int(bytes[6])) + checksumSize
    }

    /// The record in a slot image, or why it cannot be trusted.
    public static func decode(slot bytes: [UInt8]) -> Result<DiskSlotRecord, DiskRecordError> {
        Result { () throws(DiskRecordError) -> DiskSlotRecord in
            var body = try unframe(magic: slotMagic, bytes: bytes)
            do {
                return try readSlotBody(&body)
            } catch {
                throw .malformed("\(error)")
            }
        }
    }

    private static func readSlotBody(_ body: inout ByteBuffer) throws(ByteReadError) -> DiskSlotRecord {
        let cluster = try body.readChecked(Int64.self, "cluster id")
        let node = try body.readName("node")
        let incarnation = try body.readCounter("incarnation")
        let sequence = try body.readChecked(UInt64.self, "sequence")
        let epoch = try body.readCounter("view epoch")
        let coordinator = try body.readName("view coordinator")
        let installedEpoch = try body.readCounter("installed epoch")
        let stamp = try body.readDuration("stamp")
        var echoes: [String: Duration] = [:]
        for _ in 0..<Int(try body.readChecked(UInt8.self, "echo count")) {
            let peer = try body.readName("echo peer")
            echoes[peer] = try body.readDuration("echo")
        }
        let flags = try body.readChecked(UInt8.self, "disconnected")
        guard flags <= 3 else { throw ByteReadError("disconnected flag \(flags)") }
        var ipPeers: [String] = []
        for _ in 0..<Int(try body.readChecked(UInt8.self, "IP peer count")) {
            ipPeers.append(try body.readName("IP peer"))
        }
        let links = flags & 2 != 0 ? try body.readNodeMask() : NodeMask()
        var holdings: [String] = []
        let holdingCount = Int(try body.readChecked(UInt16.self, "holding count"))
        guard holdingCount <= maximumHoldings else { throw ByteReadError("\(holdingCount) holdings") }
        for _ in 0..<holdingCount { holdings.append(try body.readName("holding")) }
        var outbox: [DiskOutboxMessage] = []
        let outboxCount = Int(try body.readChecked(UInt8.self, "outbox count"))
        guard outboxCount <= maximumOutbox else { throw ByteReadError("\(outboxCount) outbox messages") }
        for _ in 0..<outboxCount {
            let to = try body.readName("outbox to")
            let number = try body.readChecked(UInt64.self, "outbox sequence")
            let length = Int(try body.readChecked(UInt16.self, "outbox length"))
            guard let packet = body.readBytes(length: length) else { throw ByteReadError("truncated outbox message") }
            outbox.append(DiskOutboxMessage(to: to, sequence: number, packet: packet))
        }
        guard body.readableBytes == 0 else { throw ByteReadError("\(body.readableBytes) bytes after the record") }
        var record = DiskSlotRecord(
            clusterID: Int(cluster), node: node, incarnation: incarnation, sequence: sequence,
            view: ViewID(epoch: epoch, coordinator: coordinator), installedEpoch: installedEpoch, stamp: stamp,
            echoes: echoes, holdings: holdings, outbox: outbox)
        record.ipPeers = ipPeers
        record.disconnected = flags & 1 != 0
        record.links = links
        return record
    }

    /// The tiebreaker sector's image, `slotSize` bytes.
    public static func encode(_ record: TiebreakerRecord, clusterID: Int, slotSize: Int) throws(DiskRecordError)
        -> [UInt8]
    {
        var body = ByteBuffer()
        body.writeInteger(Int64(clusterID))
        do {
            try body.writeName(record.owner)
        } catch {
            throw .malformed("\(error)")
        }
        body.writeInteger(record.incarnation)
        body.writeInteger(record.sequence)
        return try frame(magic: tiebreakerMagic, body: body, slotSize: slotSize)
    }

    /// The tiebreaker record in a sector image: `nil` if never written.
    public static func decodeTiebreaker(_ bytes: [UInt8], clusterID: Int) throws(DiskRecordError) -> TiebreakerRecord? {
        if isBlank(bytes) { return nil }
        var body = try unframe(magic: tiebreakerMagic, bytes: bytes)
        do {
            let cluster = try body.readChecked(Int64.self, "cluster id")
            guard cluster == Int64(clusterID) else { throw DiskRecordError.wrongCluster(Int(cluster)) }
            let owner = try body.readName("owner")
            let incarnation = try body.readCounter("incarnation")
            let sequence = try body.readChecked(UInt64.self, "sequence")
            guard body.readableBytes == 0 else { throw ByteReadError("\(body.readableBytes) bytes after the record") }
            return TiebreakerRecord(owner: owner, incarnation: incarnation, sequence: sequence)
        } catch let error as DiskRecordError {
            throw error
        } catch {
            throw .malformed("\(error)")
        }
    }

    private static func frame(magic: [UInt8], body: ByteBuffer, slotSize: Int, padding: Bool = true)
        throws(DiskRecordError) -> [UInt8]
    {
        let size = headerSize + body.readableBytes + checksumSize
        guard size <= slotSize else { throw .tooLarge(bytes: size, limit: slotSize) }
        var image = magic
        image.reserveCapacity(padding ? slotSize : size)
        image.append(formatVersion)
        image.append(UInt8(body.readableBytes >> 8))
        image.append(UInt8(body.readableBytes & 0xff))
        image.append(contentsOf: body.readableBytesView)
        image.append(contentsOf: SHA256.hash(data: image).prefix(checksumSize))
        if padding { image.append(contentsOf: repeatElement(0, count: slotSize - image.count)) }
        return image
    }

    /// `image` with the checksum rewritten for the record its header delimits (unchanged when the
    /// header's length points past the end): a torn or corrupt record made to pass the checksum,
    /// so that it reaches the field parser. For the fuzzer and tests.
    @_spi(Fuzzing) public static func resealed(_ image: [UInt8]) -> [UInt8] {
        guard image.count >= headerSize else { return image }
        let end = headerSize + (Int(image[5]) << 8 | Int(image[6]))
        guard end + checksumSize <= image.count else { return image }
        var sealed = image
        let checksum = Array(SHA256.hash(data: image[0..<end])).prefix(checksumSize)
        sealed.replaceSubrange(end..<end + checksumSize, with: checksum)
        return sealed
    }

    private static func isBlank(_ bytes: [UInt8]) -> Bool {
        bytes.count < headerSize + checksumSize || bytes.allSatisfy { $0 == 0 }
    }

    private static func unframe(magic: [UInt8], bytes: [UInt8]) throws(DiskRecordError) -> ByteBuffer {
        if isBlank(bytes) { throw .blank }
        guard Array(bytes[0..<4]) == magic else { throw .badMagic }
        guard bytes[4] == formatVersion else { throw .unsupportedVersion(bytes[4]) }
        let length = Int(bytes[5]) << 8 | Int(bytes[6])
        let end = headerSize + length
        guard end + checksumSize <= bytes.count else { throw .badLength(length) }
        let checksum = SHA256.hash(data: bytes[0..<end]).prefix(checksumSize)
        guard checksum.elementsEqual(bytes[end..<end + checksumSize]) else { throw .checksumMismatch }
        return ByteBuffer(bytes: bytes[headerSize..<end])
    }
}
