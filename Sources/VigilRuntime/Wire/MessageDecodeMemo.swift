import Foundation
import NIOCore
import Synchronization
import VigilCore

/// The messages of the last few JSON payloads a transport decoded, for the copies of the same
/// message that arrive again: every message other than a heartbeat goes to each address the peer
/// has on the network (`DaemonLoop.route`), so a node with a boot and a standby adapter receives
/// each agreed state twice, byte for byte. Decoding the agreed state of 32 nodes (about 15 KB of
/// JSON) was a fifth of every daemon's CPU while a 32-node cluster formed; the second copy now
/// costs a comparison of its bytes.
///
/// Only the message is remembered, keyed by its exact JSON bytes, after it passed every check
/// (`EnvelopeCoding.decode`); the addressing is read from each packet. A packet reaches the memo
/// only after its tag was verified.
public final class MessageDecodeMemo: Sendable {
    private struct Entry {
        var json: [UInt8]
        var message: Message
    }

    /// How many payloads are remembered: the copies of a message arrive close together.
    static let capacity = 4
    private let entries = Mutex<[Entry]>([])
    private let hitCount = Atomic<Int>(0)

    public init() {}

    /// How many payloads were answered from the memo.
    public var hits: Int { hitCount.load(ordering: .relaxed) }

    /// The message remembered for exactly these JSON bytes.
    func message(for json: ByteBuffer) -> Message? {
        json.withUnsafeReadableBytes { bytes in
            entries.withLock { entries -> Message? in
                guard let entry = entries.first(where: { Self.same($0.json, bytes) }) else { return nil }
                hitCount.add(1, ordering: .relaxed)
                return entry.message
            }
        }
    }

    private static func same(_ remembered: [UInt8], _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard remembered.count == bytes.count else { return false }
        guard let other = bytes.baseAddress else { return true }
        return remembered.withUnsafeBytes { memcmp($0.baseAddress!, other, bytes.count) == 0 }
    }

    /// Remembers the message decoded from these JSON bytes, in place of the oldest.
    func remember(_ message: Message, json: ByteBuffer) {
        let bytes = Array(json.readableBytesView)
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeFirst() }
            entries.append(Entry(json: bytes, message: message))
        }
    }
}
