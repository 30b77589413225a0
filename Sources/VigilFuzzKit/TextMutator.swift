/// Mutations of text inputs (YAML configurations and plans, JSON requests and messages): the
/// byte mutations of `ByteMutator`, and edits that keep most of the syntax so that the input gets
/// past the parser to the code behind it: lines duplicated, deleted or swapped, numbers replaced by
/// huge or negative ones, deep nesting, random Unicode (control characters, NUL, right-to-left
/// marks), very long words, truncation.
public enum TextMutator {
    /// The kinds of mutation, one picked at random per round.
    public enum Kind: CaseIterable, Sendable {
        case bytes, duplicateLine, deleteLine, swapLines, hugeNumber, deepNesting, unicode, longWord, truncate
    }

    /// Numbers that overflow, underflow or mean nothing.
    public static let hugeNumbers = [
        "99999999999999999999", "1e30", "-1", "0", "-9223372036854775808", "9223372036854775807", "1e400", "-1e400",
        "4294967296", "18446744073709551616", "0.5", "NaN", ".inf", "-.inf", "1:1:1:1:1:1:1:1:1:1:1:1",
        "0x7fffffffffffffff",
        "340282366920938463463374607431768211456", "1e-400", "-0",
    ]

    /// Scalars that break naive text handling.
    static let oddScalars: [Unicode.Scalar] = [
        "\0", "\n", "\r", "\t", "\u{7F}", "\u{85}", "\u{A0}", "\u{200B}", "\u{202E}", "\u{2028}", "\u{FEFF}",
        "\u{FFFD}", "\u{FFFF}", "\u{1F600}", "\u{10FFFF}", "é", "/", ":", "-", ".", "[", "{", "&", "*", "!", "%",
        "\"", "'", "#", "|", ">",
    ]

    /// `input` after 1 to `maximumRounds` random mutations, cut to `limit` bytes after each (a
    /// duplicated long line grows fast, and what no decoder is given need not be made).
    public static func mutate(
        _ input: String, random: inout FuzzRandom, maximumRounds: Int = 3, limit: Int = 1 << 20
    ) -> String {
        var text = input
        for _ in 0...random.below(maximumRounds) {
            text = apply(random.pick(Kind.allCases), to: text, random: &random)
            if text.utf8.count > limit { text = String(decoding: text.utf8.prefix(limit), as: UTF8.self) }
        }
        return text
    }

    /// One mutation of `kind` applied to `text`.
    public static func apply(_ kind: Kind, to text: String, random: inout FuzzRandom) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let line = random.below(lines.count)
        switch kind {
        case .bytes:
            let bytes = ByteMutator.mutate(Array(text.utf8), random: &random, maximumRounds: 2)
            return String(decoding: bytes, as: UTF8.self)
        case .duplicateLine:
            let copies = random.oneIn(8) ? random.below(200) + 1 : 1
            guard lines[line].utf8.count * copies < 1 << 20 else { break }
            lines.insert(contentsOf: Array(repeating: lines[line], count: copies), at: line)
        case .deleteLine:
            lines.removeSubrange(line..<min(lines.count, line + 1 + random.below(3)))
        case .swapLines:
            lines.swapAt(line, random.below(lines.count))
        case .hugeNumber:
            lines[line] = replacingANumber(in: lines[line], with: random.pick(hugeNumbers), random: &random)
        case .deepNesting:
            let depth = random.pick([10, 100, 999, 1_001, 5_000])
            let (open, close) = random.oneIn(2) ? ("[", "]") : ("{a: ", "}")
            let closed = random.oneIn(3) ? depth / 2 : depth
            let nested = String(repeating: open, count: depth) + String(repeating: close, count: closed)
            lines[line] = insert(nested, into: lines[line], random: &random)
        case .unicode:
            var inserted = ""
            for _ in 0...random.below(4) { inserted.unicodeScalars.append(random.pick(oddScalars)) }
            lines[line] = insert(inserted, into: lines[line], random: &random)
        case .longWord:
            let letter = random.pick(["a", "é", "/", "0", " "])
            let word = String(repeating: letter, count: random.pick([65, 256, 4_096, 70_000]))
            lines[line] = insert(word, into: lines[line], random: &random)
        case .truncate:
            let kept = lines.prefix(line).joined(separator: "\n")
            let cut = String(lines[line].prefix(random.below(lines[line].count + 1)))
            return line == 0 ? cut : kept + "\n" + cut
        }
        return lines.joined(separator: "\n")
    }

    /// `line` with its first run of digits (or, without one, its end) replaced by `number`.
    static func replacingANumber(in line: String, with number: String, random: inout FuzzRandom) -> String {
        guard let start = line.firstIndex(where: \.isNumber) else { return insert(number, into: line, random: &random) }
        let end = line[start...].firstIndex { !($0.isNumber || $0 == ".") } ?? line.endIndex
        var replaced = line
        replaced.replaceSubrange(start..<end, with: number)
        return replaced
    }

    /// `text` inserted into `line` at a random character position.
    static func insert(_ text: String, into line: String, random: inout FuzzRandom) -> String {
        var line = line
        line.insert(contentsOf: text, at: line.index(line.startIndex, offsetBy: random.below(line.count + 1)))
        return line
    }
}
