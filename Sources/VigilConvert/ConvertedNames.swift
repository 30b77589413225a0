/// Names from other tools made into Vigil identifiers (docs/configuration.md, "What names may be":
/// 1 to 64 ASCII letters, digits, `_`, `-` and `.`, starting with a letter or a digit).
enum ConvertedNames {
    static let longest = 64

    /// `text` with every other character replaced by `_`, a leading `-`, `_` or `.` given an `x` in
    /// front, cut to 64 bytes; `fallback` when nothing is left.
    static func identifier(_ text: String, fallback: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
        var name = String(text.map { allowed.contains($0) ? $0 : "_" })
        if let first = name.first, !(first.isASCII && (first.isLetter || first.isNumber)) { name = "x" + name }
        name = String(name.prefix(longest))
        return name.isEmpty || name.allSatisfy({ $0 == "_" }) ? fallback : name
    }

    /// `base`, or `base_2`, `base_3`... whichever is not in `taken`; the result is added to `taken`.
    static func unique(_ base: String, in taken: inout Set<String>) -> String {
        var name = base
        var suffix = 2
        while taken.contains(name) {
            name = String(base.prefix(longest - 1 - String(suffix).count)) + "_\(suffix)"
            suffix += 1
        }
        taken.insert(name)
        return name
    }
}
