import Foundation
import NIOCore

/// The control socket's framing: newline-delimited JSON. The client writes one request line,
/// `{"version":1,"command":{...}}`; the daemon writes one or more `AdminResponse` lines and closes
/// the connection when the answer is complete.
public enum AdminWire {
    /// The protocol version this build speaks. A request of another version is answered with an error.
    public static let version = 1
    /// The longest line either side accepts, in bytes: a configuration of the largest size
    /// (`ConfigLimits.largestFileBytes`, 4 MiB) JSON-escaped in a `sync` or `sync --preview`
    /// request, or a snapshot of a large cluster in an answer, fits.
    public static let maxLineLength = 16 << 20

    /// A request as it travels.
    public struct Request: Codable, Sendable, Hashable {
        public var version: Int
        public var command: AdminCommand

        public init(version: Int = AdminWire.version, command: AdminCommand) {
            self.version = version
            self.command = command
        }
    }

    /// Why a request line could not be read.
    public struct Malformed: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// One JSON line (with its newline) for a request or a response.
    public static func line(_ value: some Encodable) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain value types cannot fail: a failure is a programming error.
        var data = try! encoder.encode(value)
        data.append(UInt8(ascii: "\n"))
        return ByteBuffer(bytes: data)
    }

    /// Reads a request line; a malformed one is described the way the administrator should see it.
    public static func request(from line: ByteBuffer) throws(Malformed) -> AdminCommand {
        let bytes = Data(line.readableBytesView)
        if let problem = JSONInput.problem(bytes) { throw Malformed(description: "malformed request: \(problem)") }
        struct Versioned: Decodable { var version: Int? }
        guard let versioned = try? JSONDecoder().decode(Versioned.self, from: bytes) else {
            throw Malformed(description: "malformed request: not a JSON object: \(preview(bytes))")
        }
        guard versioned.version == version else {
            throw Malformed(
                description:
                    "unsupported protocol version \(versioned.version.map(String.init) ?? "none") (this vigild "
                    + "speaks \(version))"
            )
        }
        do {
            return try JSONDecoder().decode(Request.self, from: bytes).command
        } catch {
            throw Malformed(description: "malformed request: \(explain(error)): \(preview(bytes))")
        }
    }

    /// Reads a response line.
    public static func response(from line: ByteBuffer) throws(Malformed) -> AdminResponse {
        let bytes = Data(line.readableBytesView)
        if let problem = JSONInput.problem(bytes) {
            throw Malformed(description: "unreadable answer from vigild: \(problem)")
        }
        do {
            return try JSONDecoder().decode(AdminResponse.self, from: bytes)
        } catch {
            throw Malformed(description: "unreadable answer from vigild: \(explain(error)): \(preview(bytes))")
        }
    }

    /// A decoding error in a sentence: which field, and what was wrong with it.
    static func explain(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map(\.stringValue).joined(separator: ".")
            return keys.isEmpty ? "" : " at \(keys)"
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field \(key.stringValue)\(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "wrong type\(path(context))"
        case .dataCorrupted(let context): return "\(context.debugDescription)\(path(context))"
        @unknown default: return "\(error)"
        }
    }

    /// The start of a line, for error messages.
    static func preview(_ bytes: Data) -> String {
        let text = String(decoding: bytes.prefix(80), as: UTF8.self)
        return bytes.count > 80 ? text + "..." : text
    }
}
