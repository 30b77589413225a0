import Foundation
import Yams

/// Typed getters: each returns `nil` when the field is absent or null, and reports (and returns
/// `nil` for) a value of the wrong type, so that one bad value does not stop the reading.
extension ConfigReader {
    /// A text field. Any scalar is text (`name: 20` is the name "20").
    mutating func string(_ set: FieldSet, _ key: String) -> String? {
        guard let node = set.value(key) else { return nil }
        guard let scalar = node.scalar else {
            error(node.mark, "\(set.path(key)) must be a single value, not \(node.kindDescription)")
            return nil
        }
        return scalar.string
    }

    mutating func int(_ set: FieldSet, _ key: String) -> Int? {
        guard let text = string(set, key) else { return nil }
        guard let value = Int(text) else {
            error(set.value(key)?.mark, "\(set.path(key)) must be a whole number, not '\(text)'")
            return nil
        }
        return value
    }

    mutating func bool(_ set: FieldSet, _ key: String) -> Bool? {
        guard let text = string(set, key) else { return nil }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default:
            error(set.value(key)?.mark, "\(set.path(key)) must be true or false, not '\(text)'")
            return nil
        }
    }

    /// A duration with its unit (`200ms`, `1.5s`, `2m`); a bare number is refused.
    mutating func duration(_ set: FieldSet, _ key: String) -> Duration? {
        guard let text = string(set, key) else { return nil }
        if let value = DurationText.parse(text) { return value }
        let bare = text.trimmingCharacters(in: .whitespaces)
        let message: String
        if Double(bare) != nil {
            message = "\(set.path(key)) is '\(bare)' without a unit; write the unit, e.g. \(bare)ms or \(bare)s"
        } else {
            message = "\(set.path(key)) must be a duration with a unit (ms, s, m or h), e.g. 200ms or 1.5s, not '\(text)'"
        }
        error(set.value(key)?.mark, message)
        return nil
    }

    mutating func address(_ set: FieldSet, _ key: String) -> IPv4Address? {
        guard let text = string(set, key) else { return nil }
        guard let value = IPv4Address(text) else {
            error(set.value(key)?.mark, "\(set.path(key)) must be an IPv4 address (a.b.c.d), not '\(text)'")
            return nil
        }
        return value
    }

    /// One of an enumeration's raw values; the message lists them.
    mutating func choice<Value: RawRepresentable & CaseIterable>(
        _ set: FieldSet, _ key: String, of type: Value.Type
    ) -> Value? where Value.RawValue == String {
        guard let text = string(set, key) else { return nil }
        if let value = Value(rawValue: text) { return value }
        let allowed = Value.allCases.map(\.rawValue)
        error(set.value(key)?.mark, Self.unknownValueMessage(text, for: set.path(key), allowed: allowed))
        return nil
    }

    static func unknownValueMessage(_ value: String, for path: String, allowed: [String]) -> String {
        var message = "unknown value '\(value)' for \(path)"
        if let close = Spelling.closest(to: value, among: allowed) { message += " (did you mean '\(close)'?)" }
        return message + "; allowed values: " + allowed.joined(separator: ", ")
    }

    /// A list of text values (`[ghost3, ghost4]`), recording each element as `path[index]`.
    mutating func stringList(_ set: FieldSet, _ key: String) -> [String]? {
        guard let node = set.value(key) else { return nil }
        guard case .sequence(let sequence) = node else {
            error(node.mark, "\(set.path(key)) must be a list ([a, b] or '- a' lines), not \(node.kindDescription)")
            return nil
        }
        var values: [String] = []
        for (index, element) in sequence.enumerated() {
            guard let scalar = element.scalar, !element.isNull else {
                error(element.mark, "\(set.path(key))[\(index)] must be a single value, not \(element.kindDescription)")
                continue
            }
            record("\(set.path(key))[\(index)]", element.mark)
            values.append(scalar.string)
        }
        return values
    }

    /// The entries of a list of mappings, each with its path: `list[name]` named by the entry's
    /// `nameKey` field, or by index when it has none (see `SourcePath.entryKeys`).
    mutating func entries(_ set: FieldSet, _ key: String, nameKey: String?) -> [(path: String, node: YAMLNode)] {
        guard let node = set.value(key) else { return [] }
        guard case .sequence(let sequence) = node else {
            let shape = nameKey.map { "'- \($0): ...'" } ?? "'- ...'"
            error(node.mark, "\(set.path(key)) must be a list of entries (\(shape)), not \(node.kindDescription)")
            return []
        }
        let names: [String?] = sequence.map { entry in nameKey.flatMap { entry.mapping?[$0]?.scalar?.string } }
        let paths = SourcePath.entryPaths(set.path(key), names: names)
        return Array(zip(paths, sequence))
    }
}
