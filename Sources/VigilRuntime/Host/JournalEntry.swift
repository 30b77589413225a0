/// One entry for systemd's journal in its native protocol (systemd.journal-fields(7), "Native
/// Journal Protocol"): fields in order, each `NAME=value\n`, or, for a value with a newline,
/// `NAME\n`, the value's length as 64-bit little endian, the value and `\n`.
public struct JournalEntry: Sendable, Equatable {
    /// The syslog priorities the daemon uses (`PRIORITY=`).
    public enum Priority: Int, Sendable {
        case error = 3
        case warning = 4
        case notice = 5
        case info = 6
    }

    /// The fields, in the order they are sent. Names are the daemon's own constants: upper-case
    /// letters, digits and underscores, not starting with an underscore (`isValidName`).
    public private(set) var fields: [(name: String, value: String)] = []

    /// The longest value sent, in bytes (64 KiB): a longer one (a hook's output) is cut, so that an
    /// entry fits in one datagram of the socket's default buffer.
    public static let valueLimit = 65_536

    public init(message: String, priority: Priority, identifier: String) {
        add("MESSAGE", message)
        add("PRIORITY", "\(priority.rawValue)")
        add("SYSLOG_IDENTIFIER", identifier)
    }

    /// Adds a field; a `nil` value adds nothing, and a name the journal would refuse is dropped.
    public mutating func add(_ name: String, _ value: String?) {
        guard let value, Self.isValidName(name) else { return }
        fields.append((name, value))
    }

    /// The value of the first field named `name`.
    public func value(of name: String) -> String? { fields.first { $0.name == name }?.value }

    /// Whether the journal accepts `name` as a field name set by a client.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first != UInt8(ascii: "_"), !(48...57).contains(first), name.utf8.count <= 64
        else { return false }
        return name.utf8.allSatisfy { (65...90).contains($0) || (48...57).contains($0) || $0 == UInt8(ascii: "_") }
    }

    /// The datagram's bytes.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        for (name, value) in fields {
            var data = Array(value.utf8)
            if data.count > Self.valueLimit { data = Array(data.prefix(Self.valueLimit)) }
            bytes += Array(name.utf8)
            if data.contains(UInt8(ascii: "\n")) {
                bytes.append(UInt8(ascii: "\n"))
                withUnsafeBytes(of: UInt64(data.count).littleEndian) { bytes += $0 }
            } else {
                bytes.append(UInt8(ascii: "="))
            }
            bytes += data
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }

    public static func == (left: JournalEntry, right: JournalEntry) -> Bool {
        left.fields.map(\.name) == right.fields.map(\.name) && left.fields.map(\.value) == right.fields.map(\.value)
    }
}
