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

    /// A whole number in `range` (see `ConfigLimits.isBeyond`: a value below the range's bottom but
    /// not far below zero is left for `verify`). A number too large to hold is refused, never trapped on.
    mutating func int(_ set: FieldSet, _ key: String, range: ClosedRange<Int>) -> Int? {
        guard let text = string(set, key) else { return nil }
        let mark = set.value(key)?.mark
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let value = Int(trimmed) else {
            if let number = Double(trimmed), !number.isNaN, number.rounded() == number || !number.isFinite {
                error(mark, "\(set.path(key)) is \(trimmed), out of range: it must be \(ConfigLimits.describe(range))")
            } else {
                error(mark, "\(set.path(key)) must be a whole number \(ConfigLimits.describe(range)), not '\(text)'")
            }
            return nil
        }
        guard !ConfigLimits.isBeyond(value, range) else {
            error(mark, "\(set.path(key)) is \(value), out of range: it must be \(ConfigLimits.describe(range))")
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

    /// A duration with its unit (`200ms`, `1.5s`, `2m`), at most `ConfigLimits.longestDuration`;
    /// a bare number is refused.
    mutating func duration(_ set: FieldSet, _ key: String) -> Duration? {
        guard let text = string(set, key) else { return nil }
        let bare = text.trimmingCharacters(in: .whitespaces)
        let message: String
        switch DurationText.read(text) {
        case .success(let value) where value <= ConfigLimits.longestDuration:
            return value
        case .success, .failure(.tooLarge):
            message = "\(set.path(key)) is \(bare), too long: a duration is at most \(ConfigLimits.longestDurationText)"
        case .failure(.negative):
            message = "\(set.path(key)) is \(bare); a duration cannot be negative: write 0s or more"
        case .failure(.noUnit):
            message = "\(set.path(key)) is '\(bare)' without a unit; write the unit, e.g. \(bare)ms or \(bare)s"
        case .failure(.malformed):
            message =
                "\(set.path(key)) must be a duration with a unit (ms, s, m or h), e.g. 200ms or 1.5s, not '\(text)'"
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
    mutating func stringList(
        _ set: FieldSet, _ key: String, limit: ConfigLimits.ListLimit = ConfigLimits.maximumEntries
    ) -> [String]? {
        guard let node = set.value(key) else { return nil }
        guard case .sequence(let sequence) = node else {
            error(node.mark, "\(set.path(key)) must be a list ([a, b] or '- a' lines), not \(node.kindDescription)")
            return nil
        }
        guard within(limit, sequence.count, set.path(key), node.mark) else { return nil }
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
    mutating func entries(
        _ set: FieldSet, _ key: String, nameKey: String?, limit: ConfigLimits.ListLimit = ConfigLimits.maximumEntries
    ) -> [(path: String, node: YAMLNode)] {
        guard let node = set.value(key) else { return [] }
        guard case .sequence(let sequence) = node else {
            let shape = nameKey.map { "'- \($0): ...'" } ?? "'- ...'"
            error(node.mark, "\(set.path(key)) must be a list of entries (\(shape)), not \(node.kindDescription)")
            return []
        }
        guard within(limit, sequence.count, set.path(key), node.mark) else { return [] }
        let names: [String?] = sequence.map { entry in nameKey.flatMap { entry.mapping?[$0]?.scalar?.string } }
        let paths = SourcePath.entryPaths(set.path(key), names: names)
        return Array(zip(paths, sequence))
    }
}

extension ConfigReader {
    /// Whether a list of `count` entries at `path` is within `limit`; reports it if not. A longer
    /// list is not read at all, so that no file makes the loader or `verify` work without bound.
    mutating func within(_ limit: ConfigLimits.ListLimit, _ count: Int, _ path: String, _ mark: Mark?) -> Bool {
        guard count > limit.count else { return true }
        error(mark, "\(path) has \(count) entries; at most \(limit.count) are accepted (\(limit.reason)): remove some")
        return false
    }
}
