#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a slot or the tiebreaker sector could not be trusted. A slot with an error is reported, and
/// its node is not heard on the disk this time.
public enum DiskRecordError: Error, Sendable, Hashable, CustomStringConvertible {
    /// All zeros, or beyond the end of the file: never written.
    case blank
    case badMagic
    case unsupportedVersion(UInt8)
    /// The length field points outside the slot.
    case badLength(Int)
    /// The checksum does not match: a torn write (read while being written) or corruption.
    case checksumMismatch
    /// The checksum matches but the fields do not parse.
    case malformed(String)
    case wrongCluster(Int)
    /// The slot holds another node's record: the nodes disagree on the configuration's node order.
    case unexpectedNode(expected: String, found: String)
    /// The record does not fit in a slot.
    case tooLarge(bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case .blank: "never written"
        case .badMagic: "bad magic"
        case .unsupportedVersion(let version): "unsupported record version \(version)"
        case .badLength(let length): "bad record length \(length)"
        case .checksumMismatch: "checksum mismatch (torn or corrupt)"
        case .malformed(let why): "malformed: \(why)"
        case .wrongCluster(let id): "record of cluster \(id)"
        case .unexpectedNode(let expected, let found): "slot of \(expected) holds a record of \(found)"
        case .tooLarge(let bytes, let limit): "record of \(bytes) bytes exceeds the slot's \(limit)"
        }
    }
}

/// A failure of the disk itself (open, read, write, sync), with the call and errno.
public struct DiskIOError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var errno: Int32

    public init(path: String, operation: String, errno: Int32) {
        self.path = path
        self.operation = operation
        self.errno = errno
    }

    public var description: String {
        "\(operation) \(path): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}
