/// How the shared disk of a disk network is laid out: the tiebreaker record in the first slot,
/// then one slot per node in configured order (slot `i` belongs to the node of rank `i`).
///
///     offset 0                tiebreaker record
///     offset (1 + i) × size   node i's heartbeat record
///
/// Each slot is `slotSize` bytes, a multiple of 4096 so that every slot is whole sectors of any
/// disk (512-byte or 4K-native) and can be read and written with `O_DIRECT`.
public struct DiskLayout: Sendable, Hashable {
    /// The alignment of slots and of direct I/O buffers, in bytes.
    public static let alignment = 4096

    /// Bytes per slot.
    public var slotSize: Int
    /// The number of node slots (the number of nodes in the configuration).
    public var nodeSlots: Int

    public init(nodeSlots: Int, slotSize: Int = 4096) {
        precondition(
            slotSize > 0 && slotSize % Self.alignment == 0,
            "slot size \(slotSize) is not a multiple of \(Self.alignment)")
        precondition(slotSize <= 1 << 16, "slot size \(slotSize) exceeds the 16-bit record length")
        precondition(nodeSlots > 0, "no node slots")
        self.slotSize = slotSize
        self.nodeSlots = nodeSlots
    }

    public var tiebreakerOffset: Int { 0 }

    /// Where node slot `slot` starts.
    public func offset(ofSlot slot: Int) -> Int {
        precondition(slot >= 0 && slot < nodeSlots, "slot \(slot) of \(nodeSlots)")
        return slotSize * (1 + slot)
    }

    /// The size the device or file must have.
    public var totalSize: Int { slotSize * (1 + nodeSlots) }
}
