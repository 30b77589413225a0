import NIOCore
import VigilCore

/// Limits on the binary fields Vigil writes, checked on both sides.
public enum WireLimits {
    /// The longest name (node, network, adapter, group) in bytes of UTF-8.
    public static let maximumNameBytes = 255
    /// The largest duration, either side of zero, that a received message may carry: 2^40 seconds
    /// (about 35,000 years). A sender's stamps and moments come from its monotonic clock and its
    /// ages are seconds, so any real value is far below; a larger one is a malformed message. The
    /// bound leaves the core room to add and subtract received durations and moments without
    /// overflowing a `Duration`, and to take their milliseconds without overflowing an `Int64`.
    public static let longestDuration: Duration = .seconds(Int64(1) << 40)

    /// The largest counter (an incarnation, a view epoch, a sequence or event number, a request
    /// id) a received message may carry: 2^62. Real ones count from zero (an incarnation from the
    /// wall clock in milliseconds, about 2^41 today), so any larger one is a malformed message; the
    /// bound leaves the core room to count on from a received value (`epoch + 1`) without overflow.
    public static let largestCounter: UInt64 = 1 << 62

    /// Whether every `Duration` inside `value`, at any depth (a `Moment`, a dictionary of ages),
    /// is within `longestDuration` of zero, and every `UInt64` at most `largestCounter`.
    /// The large messages check themselves (`WireBounded`); everything else is walked by
    /// reflection, names and flags answered before it.
    static func valuesAreBounded(_ value: Any) -> Bool {
        switch value {
        case is String, is Bool, is Int, is [String], is Set<String>: return true
        case let duration as Duration: return isBounded(duration)
        case let counter as UInt64: return isBounded(counter)
        case let checked as any WireBounded: return checked.wireValuesAreBounded
        default: return Mirror(reflecting: value).children.allSatisfy { valuesAreBounded($0.value) }
        }
    }

    /// `valuesAreBounded` by reflection alone, for every field at any depth: slow on a large
    /// value, and the reference the `WireBounded` conformances are tested against.
    static func reflectedValuesAreBounded(_ value: Any) -> Bool {
        if let duration = value as? Duration { return isBounded(duration) }
        if let counter = value as? UInt64 { return isBounded(counter) }
        return Mirror(reflecting: value).children.allSatisfy { reflectedValuesAreBounded($0.value) }
    }

    static func isBounded(_ duration: Duration) -> Bool {
        duration <= longestDuration && duration >= .zero - longestDuration
    }

    static func isBounded(_ counter: UInt64) -> Bool { counter <= largestCounter }
}

/// Bytes that end early or hold an impossible value. Readers never trap on any input; they throw this.
struct ByteReadError: Error, Sendable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Binary fields shared by the heartbeat payload and the disk records: big-endian integers,
/// names as one length byte plus UTF-8, durations as seconds and attoseconds, optionals behind a flag.
extension ByteBuffer {
    mutating func writeName(_ name: String) throws(PacketEncodingError) {
        let bytes = Array(name.utf8)
        guard bytes.count <= WireLimits.maximumNameBytes else {
            throw .unencodable(
                "name of \(bytes.count) bytes (limit \(WireLimits.maximumNameBytes)): \(name.prefix(40))...")
        }
        writeInteger(UInt8(bytes.count))
        writeBytes(bytes)
    }

    /// A node mask: its word count in one byte (at most `NodeMask.maximumWords`), then the words.
    mutating func writeNodeMask(_ mask: NodeMask) throws(PacketEncodingError) {
        guard mask.words.count <= NodeMask.maximumWords else { throw .unencodable("\(mask.words.count) mask words") }
        writeInteger(UInt8(mask.words.count))
        for word in mask.words { writeInteger(word) }
    }

    mutating func writeOptionalName(_ name: String?) throws(PacketEncodingError) {
        writeInteger(UInt8(name == nil ? 0 : 1))
        if let name { try writeName(name) }
    }

    mutating func writeDuration(_ duration: Duration) {
        writeInteger(duration.components.seconds)
        writeInteger(duration.components.attoseconds)
    }

    mutating func writeOptionalDuration(_ duration: Duration?) {
        writeInteger(UInt8(duration == nil ? 0 : 1))
        if let duration { writeDuration(duration) }
    }

    /// A counter (incarnation, view epoch) no larger than `WireLimits.largestCounter`.
    mutating func readCounter(_ field: StaticString) throws(ByteReadError) -> UInt64 {
        let value = try readChecked(UInt64.self, field)
        guard value <= WireLimits.largestCounter else { throw ByteReadError("\(field) \(value) is out of range") }
        return value
    }

    mutating func readChecked<T: FixedWidthInteger>(_ type: T.Type, _ field: StaticString) throws(ByteReadError) -> T {
        guard let value = readInteger(as: T.self) else { throw ByteReadError("truncated at \(field)") }
        return value
    }

    mutating func readName(_ field: StaticString) throws(ByteReadError) -> String {
        let length = Int(try readChecked(UInt8.self, field))
        guard let bytes = readBytes(length: length) else { throw ByteReadError("truncated in \(field)") }
        guard let name = String(validating: bytes, as: UTF8.self) else { throw ByteReadError("\(field) is not UTF-8") }
        return name
    }

    mutating func readNodeMask() throws(ByteReadError) -> NodeMask {
        let count = Int(try readChecked(UInt8.self, "link mask words"))
        guard count <= NodeMask.maximumWords else { throw ByteReadError("\(count) link mask words") }
        var words: [UInt64] = []
        for _ in 0..<count { words.append(try readChecked(UInt64.self, "link mask")) }
        return NodeMask(words: words)
    }

    mutating func readFlag(_ field: StaticString) throws(ByteReadError) -> Bool {
        switch try readChecked(UInt8.self, field) {
        case 0: return false
        case 1: return true
        case let other: throw ByteReadError("\(field) has flag \(other)")
        }
    }

    mutating func readOptionalName(_ field: StaticString) throws(ByteReadError) -> String? {
        try readFlag(field) ? try readName(field) : nil
    }

    mutating func readDuration(_ field: StaticString) throws(ByteReadError) -> Duration {
        let seconds = try readChecked(Int64.self, field)
        let attoseconds = try readChecked(Int64.self, field)
        guard attoseconds > -1_000_000_000_000_000_000, attoseconds < 1_000_000_000_000_000_000 else {
            throw ByteReadError("\(field) has \(attoseconds) attoseconds")
        }
        let duration = Duration(secondsComponent: seconds, attosecondsComponent: attoseconds)
        guard WireLimits.isBounded(duration) else {
            throw ByteReadError("\(field) of \(seconds) seconds is out of range")
        }
        return duration
    }

    mutating func readOptionalDuration(_ field: StaticString) throws(ByteReadError) -> Duration? {
        try readFlag(field) ? try readDuration(field) : nil
    }
}
