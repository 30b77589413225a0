/// One thing a conversion could not carry over as it was, at the line of the input where it is
/// written: printed as `FILE:LINE: MESSAGE` (`keepalived.conf:42: virtual_server is not converted:
/// Vigil does not balance load`). Nothing of the input is dropped without a note.
public struct ConversionNote: Sendable, Equatable, CustomStringConvertible {
    /// What the administrator has to do about a note.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// The part has no Vigil meaning and was left out; nothing to do unless it mattered.
        case notConverted = "not converted"
        /// The result needs something the input does not say (the other node, an address, a disk
        /// heartbeat): the administrator must add it before the cluster can run.
        case mustAdd = "must add"
        /// The converter chose a value the input does not state (a netmask, an interface name):
        /// check it.
        case assumed = "assumed"
    }

    public var kind: Kind
    /// The input file's name as the caller gave it.
    public var file: String
    /// The 1-based line; 0 when the note is about the input as a whole.
    public var line: Int
    public var message: String

    public init(_ kind: Kind, file: String, line: Int, _ message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        let place = line > 0 ? "\(file):\(line)" : file
        switch kind {
        case .notConverted: return "\(place): \(message)"
        case .mustAdd: return "\(place): must add: \(message)"
        case .assumed: return "\(place): assumed: \(message)"
        }
    }
}

/// Input that cannot be read at all (unbalanced braces, an unterminated string, malformed XML):
/// nothing is converted. `description` is `FILE:LINE: MESSAGE`.
public struct ConversionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { "\(file):\(line): \(message)" }
}
