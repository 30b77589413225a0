/// An element of an XML document: its name, attributes, child elements and the line it starts on.
/// Text between elements is checked and dropped: a CIB says everything in attributes.
public struct XMLElement: Sendable, Equatable {
    public var name: String
    public var attributes: [String: String]
    public var children: [XMLElement]
    public var line: Int

    public init(name: String, attributes: [String: String] = [:], children: [XMLElement] = [], line: Int) {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.line = line
    }

    public subscript(attribute: String) -> String? { attributes[attribute] }

    /// The child elements with this name, in order.
    public func children(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }
    public func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }
}

/// A small, strict XML reader for Pacemaker CIBs: elements, attributes, the five predefined entities
/// and character references, comments, CDATA and processing instructions. It refuses DTDs (so no
/// entity of the document's own, no external entity), anything malformed, and documents past
/// `limits`, with a `ConversionError` naming the line; it never traps.
///
/// Why not FoundationXML's `XMLParser`: `scripts/build-release` links `vigil` with
/// `--static-swift-stdlib`, and the static FoundationXML needs libxml2's static library (and its
/// own dependencies, ICU, lzma, zlib) at link time, from libxml2-dev: one more system package for
/// every build machine, and a parser with DTD and entity support that a CIB never needs.
public enum XMLReader {
    /// Deepest nesting read; a CIB nests about 8 deep.
    public static let deepestNesting = 64
    /// Most elements read; a CIB of hundreds of resources has some thousands.
    public static let mostElements = 200_000
    /// The largest document read (a CIB is held to about 1 MiB compressed by Pacemaker itself).
    public static let largestBytes = 16 << 20

    public static func parse(_ text: String, file: String) throws(ConversionError) -> XMLElement {
        guard text.utf8.count <= largestBytes else {
            throw ConversionError(file: file, line: 1, "the document is larger than \(largestBytes >> 20) MiB")
        }
        var cursor = XMLCursor(bytes: Array(text.utf8), file: file)
        try cursor.skipMisc(allowDeclaration: true)
        guard cursor.peek() == UInt8(ascii: "<") else { throw cursor.failure("the document has no root element") }
        let root = try cursor.element(depth: 0)
        try cursor.skipMisc(allowDeclaration: false)
        guard cursor.atEnd else { throw cursor.failure("text after the root element's end") }
        return root
    }
}

/// The reader's position in the document.
struct XMLCursor {
    let bytes: [UInt8]
    let file: String
    var position = 0
    var line = 1
    var elements = 0

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    var atEnd: Bool { position >= bytes.count }
    func peek(_ offset: Int = 0) -> UInt8? { position + offset < bytes.count ? bytes[position + offset] : nil }
    func failure(_ message: String) -> ConversionError { ConversionError(file: file, line: line, message) }

    func looking(at text: String) -> Bool {
        let expected = Array(text.utf8)
        return position + expected.count <= bytes.count
            && Array(bytes[position..<position + expected.count]) == expected
    }

    mutating func advance(_ count: Int = 1) {
        for _ in 0..<count where position < bytes.count {
            if bytes[position] == UInt8(ascii: "\n") { line += 1 }
            position += 1
        }
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    mutating func skipSpace() { while let byte = peek(), Self.isSpace(byte) { advance() } }

    /// Everything up to `terminator`, which is consumed; an error naming `what` at the end of input.
    mutating func until(_ terminator: String, what: String) throws(ConversionError) -> ArraySlice<UInt8> {
        let start = position
        let startLine = line
        while !atEnd {
            if looking(at: terminator) {
                let body = bytes[start..<position]
                advance(terminator.utf8.count)
                return body
            }
            advance()
        }
        throw ConversionError(file: file, line: startLine, "\(what) is not closed by '\(terminator)'")
    }

    /// Whitespace, comments and processing instructions before or after the root; a DTD is refused.
    mutating func skipMisc(allowDeclaration: Bool) throws(ConversionError) {
        while true {
            skipSpace()
            if looking(at: "<!--") {
                try comment()
            } else if looking(at: "<?") {
                advance(2)
                _ = try until("?>", what: "a processing instruction")
            } else if looking(at: "<!") {
                throw failure("a DTD or declaration (<!...>): refused, a CIB has none")
            } else {
                return
            }
        }
    }

    mutating func comment() throws(ConversionError) {
        advance(4)
        let body = try until("-->", what: "a comment")
        if body.indices.contains(where: { $0 + 1 < body.endIndex && body[$0] == 0x2D && body[$0 + 1] == 0x2D }) {
            throw failure("'--' inside a comment")
        }
    }

    static func isNameByte(_ byte: UInt8, first: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"),
            UInt8(ascii: ":"), 0x80...0xFF:
            return true
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."):
            return !first
        default:
            return false
        }
    }

    mutating func name(_ what: String) throws(ConversionError) -> String {
        let start = position
        while let byte = peek(), Self.isNameByte(byte, first: position == start) { advance() }
        guard position > start, let name = String(validating: bytes[start..<position], as: UTF8.self) else {
            throw failure("expected \(what)")
        }
        return name
    }

    mutating func element(depth: Int) throws(ConversionError) -> XMLElement {
        guard depth < XMLReader.deepestNesting else {
            throw failure("elements are nested more than \(XMLReader.deepestNesting) deep")
        }
        elements += 1
        guard elements <= XMLReader.mostElements else {
            throw failure("more than \(XMLReader.mostElements) elements")
        }
        advance()  // <
        var element = XMLElement(name: try name("an element name after '<'"), line: line)
        try attributes(into: &element)
        if looking(at: "/>") {
            advance(2)
            return element
        }
        guard peek() == UInt8(ascii: ">") else { throw failure("expected '>' or '/>' in <\(element.name)>") }
        advance()
        try content(of: &element, depth: depth)
        return element
    }

    mutating func attributes(into element: inout XMLElement) throws(ConversionError) {
        while true {
            let hadSpace = peek().map(Self.isSpace) ?? false
            skipSpace()
            guard let byte = peek(), byte != UInt8(ascii: ">"), byte != UInt8(ascii: "/") else { return }
            guard hadSpace else { throw failure("expected a space before an attribute of <\(element.name)>") }
            let key = try name("an attribute name in <\(element.name)>")
            skipSpace()
            guard peek() == UInt8(ascii: "=") else { throw failure("attribute \(key) has no '='") }
            advance()
            skipSpace()
            guard let quote = peek(), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                throw failure("attribute \(key)'s value is not quoted")
            }
            advance()
            let raw = try until(quote == UInt8(ascii: "\"") ? "\"" : "'", what: "attribute \(key)'s value")
            if raw.contains(UInt8(ascii: "<")) { throw failure("'<' in attribute \(key)'s value") }
            guard element.attributes[key] == nil else { throw failure("attribute \(key) appears twice") }
            element.attributes[key] = try decoded(raw)
        }
    }

    mutating func content(of element: inout XMLElement, depth: Int) throws(ConversionError) {
        var text: [UInt8] = []
        while !atEnd {
            if looking(at: "</") {
                _ = try decoded(text[...])
                advance(2)
                let closing = try name("the closing tag's name")
                skipSpace()
                guard peek() == UInt8(ascii: ">"), closing == element.name else {
                    throw failure("</\(closing)> does not close <\(element.name)> (line \(element.line))")
                }
                advance()
                return
            } else if looking(at: "<!--") {
                try comment()
            } else if looking(at: "<![CDATA[") {
                advance(9)
                _ = try until("]]>", what: "a CDATA section")
            } else if looking(at: "<?") {
                advance(2)
                _ = try until("?>", what: "a processing instruction")
            } else if looking(at: "<!") {
                throw failure("a declaration (<!...>) inside <\(element.name)>")
            } else if peek() == UInt8(ascii: "<") {
                element.children.append(try self.element(depth: depth + 1))
            } else if let byte = peek() {
                text.append(byte)
                advance()
            }
        }
        throw ConversionError(file: file, line: element.line, "<\(element.name)> is never closed")
    }

    /// Text with its entity and character references replaced; an unknown entity is an error.
    func decoded(_ raw: ArraySlice<UInt8>) throws(ConversionError) -> String {
        guard let text = String(validating: raw, as: UTF8.self) else { throw failure("text that is not UTF-8") }
        guard text.contains("&") else { return text }
        var result = ""
        var rest = Substring(text)
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            let after = rest[rest.index(after: ampersand)...]
            guard let semicolon = after.firstIndex(of: ";"), after.distance(from: after.startIndex, to: semicolon) <= 10
            else { throw failure("'&' starts no entity (write &amp;)") }
            let entity = String(after[..<semicolon])
            guard let character = Self.character(for: entity) else { throw failure("unknown entity &\(entity);") }
            result.append(character)
            rest = after[after.index(after: semicolon)...]
        }
        return result + rest
    }

    static func character(for entity: String) -> Character? {
        switch entity {
        case "lt": return "<"
        case "gt": return ">"
        case "amp": return "&"
        case "quot": return "\""
        case "apos": return "'"
        default:
            let value: UInt32?
            if entity.hasPrefix("#x") {
                value = UInt32(entity.dropFirst(2), radix: 16)
            } else if entity.hasPrefix("#") {
                value = UInt32(entity.dropFirst(), radix: 10)
            } else {
                value = nil
            }
            guard let value, value != 0, let scalar = Unicode.Scalar(value) else { return nil }
            return Character(scalar)
        }
    }
}
