import Yams

/// Reads a composed YAML document into configuration values, one field at a time, recording where
/// each field was written and collecting every problem instead of stopping at the first.
///
/// Getters return `nil` when a field is absent, null, or wrong (after reporting what is wrong), so
/// builders can go on reading the rest of the file. Whether the configuration is usable is decided
/// at the end: it is when no error was reported.
struct ConfigReader {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []
    private(set) var sourceMap: SourceMap
    /// The file's `format` (`ConfigFormat`), once read.
    var format = ConfigFormat.unversioned

    init(file: String) {
        self.file = file
        self.sourceMap = SourceMap(file: file)
    }

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    func location(_ mark: Mark?) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    mutating func error(_ mark: Mark?, _ message: String) {
        diagnostics.append(Diagnostic(.error, at: location(mark), message))
    }

    mutating func record(_ path: String, _ mark: Mark?) {
        guard let mark else { return }
        sourceMap.record(path, location(mark))
    }

    /// The fields of the mapping at `path`, checked against the allowed keys (`nil`: any key) and
    /// the required ones. Records the mapping's location and every field's location.
    mutating func fields(
        _ node: YAMLNode, path: String, allowed: [String]?, required: [String] = []
    ) -> FieldSet? {
        let shown = path.isEmpty ? "the file" : path
        guard case .mapping(let mapping) = node else {
            let keys = allowed.map { " with keys " + $0.joined(separator: ", ") } ?? ""
            error(node.mark, "\(shown) must be a mapping\(keys), not \(node.kindDescription)")
            return nil
        }
        if !path.isEmpty { record(path, mapping.mark) }
        var set = FieldSet(path: path, mark: mapping.mark)
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                error(key.mark, "\(shown) has a key that is not text (\(key.kindDescription)); keys are names")
                continue
            }
            if let allowed, !allowed.contains(name) {
                error(key.mark, Self.unknownKeyMessage(name, in: shown, allowed: allowed))
                continue
            }
            set.append(FieldSet.Field(key: name, keyMark: key.mark, value: value))
            let isScalar = value.scalar != nil
            record(set.path(name), isScalar ? value.mark : key.mark)
        }
        for key in required where set.value(key) == nil {
            let problem = set.field(key) == nil ? "has no '\(key)'" : "has an empty '\(key)'"
            error(set.field(key)?.keyMark ?? mapping.mark, "\(shown) \(problem); \(key) is required")
        }
        return set
    }

    static func unknownKeyMessage(_ key: String, in path: String, allowed: [String]) -> String {
        var message = "unknown key '\(key)' in \(path)"
        if let close = Spelling.closest(to: key, among: allowed) { message += " (did you mean '\(close)'?)" }
        return message + "; allowed keys: " + allowed.joined(separator: ", ")
    }
}

/// The fields of one YAML mapping, in file order, with the path they were read at.
struct FieldSet {
    struct Field {
        var key: String
        var keyMark: Mark?
        var value: YAMLNode
    }

    let path: String
    let mark: Mark?
    private(set) var fields: [Field] = []

    init(path: String, mark: Mark?) {
        self.path = path
        self.mark = mark
    }

    mutating func append(_ field: Field) { fields.append(field) }

    func field(_ key: String) -> Field? { fields.first { $0.key == key } }

    /// The value of `key`, or `nil` when it is absent or null (`key:`, `key: ~`, `key: null`).
    func value(_ key: String) -> YAMLNode? {
        guard let node = field(key)?.value, !node.isNull else { return nil }
        return node
    }

    /// The path of a field: `nodes[ghost1].name`, or just `nodes` at the top level.
    func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}

extension YAMLNode {
    /// A plain (unquoted) null scalar.
    var isNull: Bool {
        guard case .scalar(let scalar) = self, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// What kind of YAML value this is, for messages.
    var kindDescription: String {
        switch self {
        case .scalar(let scalar): return "the value '\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
