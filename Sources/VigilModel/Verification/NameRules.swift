/// The forms a configured name must have where it reaches a command line, a file name, a path or a
/// device. Each rule returns why a name breaks it (a phrase such as `contains '/'`), or `nil`.
///
/// - **Identifiers** (Vigil's own names: the cluster, nodes, networks, labels, resource groups,
///   applications): 1 to 64 bytes of ASCII letters, digits, `_`, `-` and `.`, starting with a letter
///   or a digit. A node name is a host name, `VIGIL_NODE` and part of file names; an application
///   name is the file `STATE/NAME.out` and a cgroup directory; none may hold a `/`, be `.` or `..`,
///   start with `-` (an option to the command it reaches) or hold a space or a control character.
/// - **Interface names** (Linux's `dev_valid_name`): 1 to 15 bytes (`IFNAMSIZ` less its NUL), not
///   `.` or `..`, no `/`, `:`, whitespace or control character.
/// - **Volume group names** (LVM's rules): 1 to 127 bytes of ASCII letters, digits, `+`, `_`, `.`
///   and `-`, not starting with `-`, not `.` or `..`.
/// - **Paths** (mount points, export paths, devices): absolute, at most 4,095 bytes (`PATH_MAX` less
///   its NUL), no NUL or newline.
/// - **Commands** (start, stop, monitor, fence, hooks): not empty, no NUL (`exec` cannot pass one).
public enum NameRules {
    /// The longest identifier, in bytes (a host name's limit, `HOST_NAME_MAX`).
    public static let identifierBytes = 64
    /// The longest interface name, in bytes (`IFNAMSIZ` is 16 with the terminating NUL).
    public static let interfaceNameBytes = 15
    /// The longest volume group name, in bytes (LVM's `NAME_LEN` is 128 with the NUL).
    public static let volumeGroupNameBytes = 127
    /// The longest path, in bytes (`PATH_MAX` is 4096 with the NUL).
    public static let pathBytes = 4_095
    /// The longest filesystem type (`ext4`, `xfs`, `fuse.sshfs`), in bytes.
    public static let filesystemTypeBytes = 32

    /// The identifier rule, as `verify` states it.
    public static let identifierRule = """
        names of the cluster, nodes, networks, labels, groups and applications are 1 to \(identifierBytes) \
        letters, digits, '_', '-' and '.', starting with a letter or digit
        """

    /// Why `name` is not an identifier (see the type's documentation), or `nil`.
    public static func identifierProblem(_ name: String) -> String? {
        if let problem = lengthProblem(name, limit: identifierBytes) { return problem }
        if let bad = name.unicodeScalars.first(where: { !isIdentifierCharacter($0) }) {
            return "contains \(shown(bad))"
        }
        if let first = name.unicodeScalars.first, !isLetterOrDigit(first) {
            return "starts with \(shown(first))"
        }
        return nil
    }

    /// Why `name` is not a Linux network interface name, or `nil`.
    public static func interfaceNameProblem(_ name: String) -> String? {
        if let problem = lengthProblem(name, limit: interfaceNameBytes) { return problem }
        if name == "." || name == ".." { return "is '\(name)'" }
        if let bad = name.unicodeScalars.first(where: { $0 == "/" || $0 == ":" || isWhitespaceOrControl($0) }) {
            return "contains \(shown(bad))"
        }
        return nil
    }

    /// Why `name` is not an LVM volume group name, or `nil`.
    public static func volumeGroupNameProblem(_ name: String) -> String? {
        if let problem = lengthProblem(name, limit: volumeGroupNameBytes) { return problem }
        if name == "." || name == ".." { return "is '\(name)'" }
        if let bad = name.unicodeScalars.first(where: { !isWordCharacter($0) }) {
            return "contains \(shown(bad))"
        }
        if name.hasPrefix("-") { return "starts with '-'" }
        return nil
    }

    /// Why `path` is not an absolute path Vigil can hand to a command, or `nil`.
    public static func absolutePathProblem(_ path: String) -> String? {
        if let problem = lengthProblem(path, limit: pathBytes) { return problem }
        if let bad = path.unicodeScalars.first(where: { $0 == "\0" || $0 == "\n" || $0 == "\r" }) {
            return "contains \(shown(bad))"
        }
        if !path.hasPrefix("/") { return "is not an absolute path (it must start with '/')" }
        return nil
    }

    /// Why `command` cannot be run, or `nil`.
    public static func commandProblem(_ command: String) -> String? {
        if command.allSatisfy(\.isWhitespace) { return "is empty" }
        if command.unicodeScalars.contains("\0") { return "contains a NUL character" }
        return nil
    }

    /// Why `type` cannot be passed to `mount -t`, or `nil`: 1 to 32 letters, digits, `.`, `_`, `+`,
    /// `-`, not starting with `-`.
    public static func filesystemTypeProblem(_ type: String) -> String? {
        if let problem = lengthProblem(type, limit: filesystemTypeBytes) { return problem }
        if let bad = type.unicodeScalars.first(where: { !isWordCharacter($0) }) {
            return "contains \(shown(bad))"
        }
        if type.hasPrefix("-") { return "starts with '-'" }
        return nil
    }

    /// Why an NFS export's `clients` or `options` cannot be passed to `exportfs`, or `nil`: not
    /// empty, no whitespace or control character (either would split or end the argument).
    public static func exportWordProblem(_ word: String) -> String? {
        if let problem = lengthProblem(word, limit: pathBytes) { return problem }
        if let bad = word.unicodeScalars.first(where: isWhitespaceOrControl) { return "contains \(shown(bad))" }
        if word.hasPrefix("-") { return "starts with '-'" }
        return nil
    }

    /// An identifier close to `name`: every character outside the rule made `_`, leading
    /// non-alphanumerics dropped, cut to the length limit; `fallback` if nothing is left.
    public static func suggestedIdentifier(for name: String, fallback: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            scalars.append(isIdentifierCharacter(scalar) ? scalar : "_")
        }
        let trimmed = String(scalars).drop { !$0.isASCII || !($0.isLetter || $0.isNumber) }
        let cleaned = String(trimmed.prefix(identifierBytes))
        return cleaned.isEmpty ? fallback : cleaned
    }

    /// A name as a message shows it: quoted, with control characters escaped, cut after 40
    /// characters, so that a hostile name cannot break the one-line diagnostic.
    public static func quoted(_ name: String) -> String {
        var text = ""
        for scalar in name.unicodeScalars.prefix(40) {
            text += isWhitespaceOrControl(scalar) && scalar != " " ? scalar.escaped(asASCII: true) : String(scalar)
        }
        return "'\(text)\(name.unicodeScalars.count > 40 ? "..." : "")'"
    }

    private static func lengthProblem(_ name: String, limit: Int) -> String? {
        let bytes = name.utf8.count
        if bytes == 0 { return "is empty" }
        if bytes > limit { return "is \(bytes) bytes long (at most \(limit))" }
        return nil
    }

    private static func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    /// A character of LVM names and filesystem types: a letter, a digit, `+`, `_`, `.` or `-`.
    private static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        isLetterOrDigit(scalar) || "+_.-".unicodeScalars.contains(scalar)
    }

    private static func isIdentifierCharacter(_ scalar: Unicode.Scalar) -> Bool {
        isLetterOrDigit(scalar) || scalar == "_" || scalar == "-" || scalar == "."
    }

    private static func isWhitespaceOrControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar.properties.generalCategory == .control
    }

    /// `'/'`, `a space`, `'\n'`, `U+00E9 'é'`.
    private static func shown(_ scalar: Unicode.Scalar) -> String {
        if scalar == " " { return "a space" }
        if scalar == "\0" { return "a NUL character" }
        if isWhitespaceOrControl(scalar) { return "'\(scalar.escaped(asASCII: true))'" }
        if !scalar.isASCII {
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "U+\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex) '\(scalar)'"
        }
        return "'\(scalar)'"
    }
}
