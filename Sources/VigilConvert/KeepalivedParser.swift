/// One statement of a keepalived.conf: its words (the keyword first, then its arguments, quotes
/// removed), the line it starts on, and the statements of its `{ ... }` block if it has one.
public struct KeepalivedStatement: Sendable, Equatable {
    public var words: [String]
    public var line: Int
    /// nil: no block; `[]`: an empty block.
    public var block: [KeepalivedStatement]?
    /// The configuration id a `@ID` (or `@^ID`, "not ID") line prefix limits the statement to.
    public var condition: String?

    public var keyword: String { words.first ?? "" }
    public var arguments: ArraySlice<String> { words.dropFirst() }
    /// The block's statements, or none.
    public var children: [KeepalivedStatement] { block ?? [] }

    public init(words: [String], line: Int, block: [KeepalivedStatement]? = nil, condition: String? = nil) {
        self.words = words
        self.line = line
        self.block = block
        self.condition = condition
    }

    /// The first statement of the block with this keyword.
    public func child(_ keyword: String) -> KeepalivedStatement? { children.first { $0.keyword == keyword } }
}

/// Reads keepalived.conf's syntax (keepalived.conf(5)): words separated by blanks, `"quoted words"`,
/// blocks in braces (the brace on the keyword's line or the next), comments from `!` or `#` to the
/// end of the line, and the `@ID` / `@^ID` line prefixes of conditional configuration. It knows no
/// keyword: what the statements mean is `KeepalivedMapping`'s job. Bad input (an unterminated
/// quote, a brace without its pair, nesting deeper than `deepestNesting`) is a `ConversionError`
/// naming the line.
public enum KeepalivedParser {
    /// The deepest nesting of blocks read. keepalived's own deepest (virtual_server > real_server >
    /// checker > url) is 4; anything far deeper is not a keepalived.conf.
    public static let deepestNesting = 32
    /// The largest file read, as for Vigil's own configuration files.
    public static let largestFileBytes = 4 << 20

    enum Token: Equatable {
        case word(String, line: Int, condition: String?)
        case open(line: Int)
        case close(line: Int)
        case newline
    }

    public static func parse(_ text: String, file: String) throws(ConversionError) -> [KeepalivedStatement] {
        guard text.utf8.count <= largestFileBytes else {
            throw ConversionError(file: file, line: 1, "the file is larger than \(largestFileBytes >> 20) MiB")
        }
        let tokens = try tokenize(text, file: file)
        var index = 0
        let statements = try statements(tokens, at: &index, depth: 0, file: file)
        if index < tokens.count, case .close(let line) = tokens[index] {
            throw ConversionError(file: file, line: line, "'}' closes no block")
        }
        return statements
    }

    /// Splits the text into words, braces and line ends.
    static func tokenize(_ text: String, file: String) throws(ConversionError) -> [Token] {
        var tokens: [Token] = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = offset + 1
            var rest = Substring(rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine)
            var condition: String?
            if rest.first == "@" {
                let prefix = rest.prefix { !$0.isWhitespace }
                condition = String(prefix.dropFirst())
                rest = rest.dropFirst(prefix.count)
            }
            try words(of: rest, line: line, condition: condition, file: file, into: &tokens)
            tokens.append(.newline)
        }
        return tokens
    }

    static func words(
        of text: Substring, line: Int, condition: String?, file: String, into tokens: inout [Token]
    ) throws(ConversionError) {
        var rest = text
        while let first = rest.first {
            if first.isWhitespace {
                rest = rest.dropFirst()
            } else if first == "!" || first == "#" {
                return
            } else if first == "{" || first == "}" {
                tokens.append(first == "{" ? .open(line: line) : .close(line: line))
                rest = rest.dropFirst()
            } else if first == "\"" {
                let body = rest.dropFirst()
                guard let end = body.firstIndex(of: "\"") else {
                    throw ConversionError(file: file, line: line, "a quoted string is not closed on its line")
                }
                tokens.append(.word(String(body[..<end]), line: line, condition: condition))
                rest = body[body.index(after: end)...]
            } else {
                let word = rest.prefix { !$0.isWhitespace && $0 != "{" && $0 != "}" && $0 != "\"" }
                tokens.append(.word(String(word), line: line, condition: condition))
                rest = rest.dropFirst(word.count)
            }
        }
    }

    /// Statements from `index` up to a `}` (left for the caller) or the end.
    static func statements(
        _ tokens: [Token], at index: inout Int, depth: Int, file: String
    ) throws(ConversionError) -> [KeepalivedStatement] {
        var result: [KeepalivedStatement] = []
        var current: KeepalivedStatement?
        while index < tokens.count {
            switch tokens[index] {
            case .word(let word, let line, let condition):
                if current == nil { current = KeepalivedStatement(words: [], line: line, condition: condition) }
                current?.words.append(word)
                index += 1
            case .newline:
                // A statement ends at its line's end unless its block opens on the next line.
                index += 1
                if current != nil, !opensBlockNext(tokens, from: index), let statement = current {
                    result.append(statement)
                    current = nil
                }
            case .open(let line):
                guard depth < deepestNesting else {
                    throw ConversionError(file: file, line: line, "blocks are nested more than \(deepestNesting) deep")
                }
                index += 1
                let block = try statements(tokens, at: &index, depth: depth + 1, file: file)
                guard index < tokens.count, case .close = tokens[index] else {
                    throw ConversionError(file: file, line: line, "this '{' is never closed by a '}'")
                }
                index += 1
                var statement = current ?? KeepalivedStatement(words: [], line: line)
                statement.block = block
                result.append(statement)
                current = nil
            case .close:
                if let statement = current { result.append(statement) }
                return result
            }
        }
        if let statement = current { result.append(statement) }
        return result
    }

    /// Whether the next token after blank lines is a `{`.
    static func opensBlockNext(_ tokens: [Token], from start: Int) -> Bool {
        var index = start
        while index < tokens.count, tokens[index] == .newline { index += 1 }
        if index < tokens.count, case .open = tokens[index] { return true }
        return false
    }
}
