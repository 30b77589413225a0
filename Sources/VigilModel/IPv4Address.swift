/// An IPv4 address or netmask as a 32-bit value, parsed from and printed in dotted-quad form.
public struct IPv4Address: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    /// Parses `a.b.c.d`; `nil` for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let byte = UInt8(part) else {
                return nil
            }
            value = value << 8 | UInt32(byte)
        }
        self.value = value
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }

    /// Whether this value is a valid netmask: ones followed by zeros.
    public var isNetmask: Bool {
        let inverted = ~value
        return inverted & (inverted &+ 1) == 0
    }

    /// The prefix length of a netmask (`255.255.255.0` is 24).
    public var prefixLength: Int { value.nonzeroBitCount }

    /// The network this address belongs to under `netmask`.
    public func masked(by netmask: IPv4Address) -> IPv4Address { IPv4Address(value & netmask.value) }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}
