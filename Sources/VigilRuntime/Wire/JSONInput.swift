/// A check that every JSON document Vigil reads from outside (message payloads, control socket
/// lines, HTTP bodies) passes before `JSONDecoder` sees it.
///
/// Foundation's `JSONDecoder` traps on a document that ends exactly where its nesting passes the
/// scanner's limit of 512: `[` 513 times, and nothing after (swift-foundation's
/// `JSONError.SourceLocation.sourceLocation(at:fullSource:)` reads past the end to say where the
/// error is). `vigil-fuzz` found it in a re-signed payload; the control socket and the HTTP API
/// decode their requests with the same decoder. Vigil's own documents nest a few levels deep, so
/// anything deeper than `maximumDepth` is refused here, long before the scanner's limit.
public enum JSONInput {
    /// The deepest nesting of arrays and objects accepted: Vigil's messages nest about 8 deep (an
    /// agreed state's event records), its requests 3.
    public static let maximumDepth = 64

    /// Why `bytes` cannot be handed to `JSONDecoder`, or `nil`: nesting deeper than `maximumDepth`
    /// (brackets inside strings do not count). One pass, no allocation; the JSON is not validated.
    public static func problem(_ bytes: some Sequence<UInt8>) -> String? {
        let found = bytes.withContiguousStorageIfAvailable(deepestNesting) ?? deepestNesting(Array(bytes))
        return found > maximumDepth ? "JSON nested more than \(maximumDepth) deep" : nil
    }

    /// More than `maximumDepth` as soon as the nesting passes it; otherwise at most `maximumDepth`.
    private static func deepestNesting(_ bytes: some Collection<UInt8>) -> Int {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maximumDepth { return depth }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth = max(0, depth - 1)
            default: continue
            }
        }
        return depth
    }
}
