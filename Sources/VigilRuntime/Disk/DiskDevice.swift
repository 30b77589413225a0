#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The shared block device or file of a disk network, read and written with blocking `pread` and
/// `pwrite`; every write is followed by `fdatasync`, so that a record another node reads is on the
/// device, not in this node's cache. Calls block: run them off the event loop (`DiskHeartbeat` does).
///
/// `directIO` opens with `O_DIRECT` (Linux): reads bypass this host's page cache, which a block
/// device shared by several hosts needs (a cached read would show a peer's old record forever). A
/// file on one host (tests, demos, a cluster on one machine) is coherent without it. Buffers are
/// always 4096-aligned, as `O_DIRECT` requires.
public final class DiskDevice: Sendable {
    public let path: String
    public let layout: DiskLayout
    public let directIO: Bool
    private let descriptor: Int32

    /// Opens the device or file; `create` creates a missing file (never a device).
    public init(path: String, layout: DiskLayout, create: Bool = false, directIO: Bool = false) throws(DiskIOError) {
        var flags = O_RDWR | O_CLOEXEC
        if create { flags |= O_CREAT }
        if directIO { flags |= Self.directFlag }
        let descriptor = open(path, flags, 0o600)
        guard descriptor >= 0 else { throw DiskIOError(path: path, operation: "open", errno: errno) }
        self.path = path
        self.layout = layout
        self.directIO = directIO
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    private static func syncData(_ descriptor: Int32) -> Int32 {
        #if os(Linux)
        fdatasync(descriptor)
        #else
        fsync(descriptor)
        #endif
    }

    #if os(Linux) && arch(x86_64)
    static let directFlag: Int32 = 0o40000
    #elseif os(Linux) && (arch(arm64) || arch(powerpc64le))
    static let directFlag: Int32 = 0o200000
    #else
    static let directFlag: Int32 = 0
    #endif

    /// The image of every node slot, in slot order, in one read.
    public func readSlots() throws(DiskIOError) -> [[UInt8]] {
        let size = layout.slotSize
        let all = try read(offset: layout.offset(ofSlot: 0), count: size * layout.nodeSlots)
        return (0..<layout.nodeSlots).map { Array(all[$0 * size..<($0 + 1) * size]) }
    }

    /// Writes a slot image (`layout.slotSize` bytes) and syncs it.
    public func writeSlot(_ image: [UInt8], slot: Int) throws(DiskIOError) {
        precondition(image.count == layout.slotSize, "slot image of \(image.count) bytes, slot size \(layout.slotSize)")
        try write(image, offset: layout.offset(ofSlot: slot))
    }

    /// The first `count` bytes of a node slot (`count` a multiple of `DiskLayout.alignment`, at
    /// most the slot size).
    public func readSlot(_ slot: Int, count: Int) throws(DiskIOError) -> [UInt8] {
        precondition(
            count > 0 && count <= layout.slotSize && count % DiskLayout.alignment == 0,
            "reading \(count) bytes of a slot of \(layout.slotSize)")
        return try read(offset: layout.offset(ofSlot: slot), count: count)
    }

    /// Writes the start of a slot (a multiple of `DiskLayout.alignment` bytes, at most the slot
    /// size; `DiskRecordCodec.encodePrefix`) and syncs it. The rest of the slot is left as it is.
    public func writeSlotPrefix(_ image: [UInt8], slot: Int) throws(DiskIOError) {
        precondition(
            image.count > 0 && image.count <= layout.slotSize && image.count % DiskLayout.alignment == 0,
            "slot prefix of \(image.count) bytes, slot size \(layout.slotSize)")
        try write(image, offset: layout.offset(ofSlot: slot))
    }

    public func readTiebreakerImage() throws(DiskIOError) -> [UInt8] {
        try read(offset: layout.tiebreakerOffset, count: layout.slotSize)
    }

    public func writeTiebreakerImage(_ image: [UInt8]) throws(DiskIOError) {
        precondition(
            image.count == layout.slotSize, "tiebreaker image of \(image.count) bytes, slot size \(layout.slotSize)")
        try write(image, offset: layout.tiebreakerOffset)
    }

    /// Reads `count` bytes at `offset`; bytes past the end of a file read as zeros (never written).
    func read(offset: Int, count: Int) throws(DiskIOError) -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: DiskLayout.alignment)
        defer { buffer.deallocate() }
        var done = 0
        while done < count {
            let result = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset + done))
            if result < 0 {
                if errno == EINTR { continue }
                throw DiskIOError(path: path, operation: "pread", errno: errno)
            }
            if result == 0 { break }
            done += result
        }
        var bytes = Array(buffer[0..<done])
        bytes.append(contentsOf: repeatElement(0, count: count - done))
        return bytes
    }

    /// Writes `bytes` at `offset`, then `fdatasync`.
    func write(_ bytes: [UInt8], offset: Int) throws(DiskIOError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: DiskLayout.alignment)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: bytes)
        var done = 0
        while done < bytes.count {
            let result = pwrite(descriptor, buffer.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if result < 0 {
                if errno == EINTR { continue }
                throw DiskIOError(path: path, operation: "pwrite", errno: errno)
            }
            done += result
        }
        while Self.syncData(descriptor) != 0 {
            if errno != EINTR { throw DiskIOError(path: path, operation: "fdatasync", errno: errno) }
        }
    }
}
