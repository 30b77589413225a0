import NIOPosix
import VigilCore

/// One node's access to the shared disk of a disk network: writes its own slot, reads every slot,
/// reads and writes the tiebreaker sector. The blocking I/O runs on a `NIOThreadPool`, never on an
/// event loop or the caller's task. A hung device hangs the call: the caller bounds each call with
/// its own timeout (the disk network's detection time) and counts a late answer as a failed read;
/// the hung call keeps its pool thread, so give each disk network a pool of its own, and stop
/// issuing calls while one is still outstanding.
public final class DiskHeartbeat: Sendable {
    public let device: DiskDevice
    public let clusterID: Int
    /// This node's slot: its rank in the configuration.
    public let slot: Int
    private let threadPool: NIOThreadPool

    public init(device: DiskDevice, clusterID: Int, slot: Int, threadPool: NIOThreadPool) {
        precondition(slot >= 0 && slot < device.layout.nodeSlots, "slot \(slot) of \(device.layout.nodeSlots)")
        self.device = device
        self.clusterID = clusterID
        self.slot = slot
        self.threadPool = threadPool
    }

    /// Writes this node's record to its slot (and syncs it).
    public func writeOwnSlot(_ record: DiskSlotRecord) async throws {
        precondition(record.clusterID == clusterID, "record of cluster \(record.clusterID), disk of \(clusterID)")
        let image = try DiskRecordCodec.encode(record, slotSize: device.layout.slotSize)
        let (device, slot) = (device, slot)
        try await threadPool.runIfActive { try device.writeSlot(image, slot: slot) }
    }

    /// Every slot's record, or why it cannot be trusted (a torn, corrupt or blank slot).
    /// Throws only when the device itself fails.
    public func readAll() async throws -> [Int: Result<DiskSlotRecord, DiskRecordError>] {
        let device = device
        let images = try await threadPool.runIfActive { try device.readSlots() }
        var records: [Int: Result<DiskSlotRecord, DiskRecordError>] = [:]
        for (index, image) in images.enumerated() {
            records[index] = DiskRecordCodec.decode(slot: image).flatMap { record in
                record.clusterID == clusterID ? .success(record) : .failure(.wrongCluster(record.clusterID))
            }
        }
        return records
    }

    /// Writes this node's record to the start of its slot and syncs it, blocking the caller
    /// (`DiskDevice.writeSlotPrefix`): for a thread of the caller's own.
    public func writeOwnSlotNow(_ record: DiskSlotRecord) throws {
        precondition(record.clusterID == clusterID, "record of cluster \(record.clusterID), disk of \(clusterID)")
        try device.writeSlotPrefix(
            try DiskRecordCodec.encodePrefix(record, slotSize: device.layout.slotSize), slot: slot)
    }

    /// Reads every other node's slot, blocking the caller, and returns the records that changed
    /// since the images in `seen` (which it updates): a slot whose bytes are the same as last time
    /// is left out, so that an unchanged record costs one small read and a comparison, not a decode.
    /// Each slot is read from its start, one block, then the rest of its record when longer. Throws
    /// only when the device itself fails.
    public func readChanged(seen: inout [Int: [UInt8]]) throws -> [Int: Result<DiskSlotRecord, DiskRecordError>] {
        let layout = device.layout
        var records: [Int: Result<DiskSlotRecord, DiskRecordError>] = [:]
        for index in 0..<layout.nodeSlots where index != slot {
            var image = try device.readSlot(index, count: DiskLayout.alignment)
            if let length = DiskRecordCodec.framedLength(prefix: image) {
                if length > image.count && length <= layout.slotSize {
                    let blocks = (length + DiskLayout.alignment - 1) / DiskLayout.alignment
                    image = try device.readSlot(index, count: blocks * DiskLayout.alignment)
                }
                if length <= image.count { image.removeLast(image.count - length) }
            }
            guard seen[index] != image else { continue }
            seen[index] = image
            records[index] = DiskRecordCodec.decode(slot: image).flatMap { record in
                record.clusterID == clusterID ? .success(record) : .failure(.wrongCluster(record.clusterID))
            }
        }
        return records
    }

    /// The tiebreaker record; `nil` if it was never written. Throws `DiskRecordError` for a corrupt sector.
    public func readTiebreaker() async throws -> TiebreakerRecord? {
        let device = device
        let image = try await threadPool.runIfActive { try device.readTiebreakerImage() }
        return try DiskRecordCodec.decodeTiebreaker(image, clusterID: clusterID)
    }

    /// Writes the tiebreaker record (and syncs it).
    public func writeTiebreaker(_ record: TiebreakerRecord) async throws {
        let image = try DiskRecordCodec.encode(record, clusterID: clusterID, slotSize: device.layout.slotSize)
        let device = device
        try await threadPool.runIfActive { try device.writeTiebreakerImage(image) }
    }

    /// Carries out the core's `DiskRequest` on the tiebreaker and says how it ended, as the core
    /// expects it: any failure (device, corrupt sector) is `.failed` with its reason.
    public func perform(_ operation: DiskRequest.Operation) async -> DiskOutcome {
        do {
            switch operation {
            case .read: return .read(try await readTiebreaker())
            case .write(let record):
                try await writeTiebreaker(record)
                return .written
            }
        } catch {
            return .failed("\(error)")
        }
    }
}
