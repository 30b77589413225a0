import Foundation

/// One snapshot of the cluster (`vigil snapshot save NAME`, the seed's cluster snapshot): the
/// configuration the cluster ran and every node's status as it answered, in one text file that an
/// administrator can read, keep and send.
///
///     vigil snapshot 1
///     name: before-upgrade
///     taken: 2026-12-06T19:40:00Z
///     on: ghost1
///     cluster: scream
///     configuration version: 3
///     === configuration
///       format: 1
///       cluster: {name: scream, id: 20}
///       ...
///     === status ghost1
///       {"cluster":"scream",...}
///     === status ghost4 unreachable
///
/// Section bodies are indented by two spaces, so no line of a configuration can be taken for a
/// section's heading.
public struct SnapshotFile: Sendable, Hashable {
    public var name: String
    /// When it was taken (ISO 8601, UTC).
    public var taken: String
    /// The node whose daemon gathered it.
    public var node: String
    public var cluster: String
    public var configVersion: UInt64
    /// The configuration's text, as the gathering node runs it.
    public var configuration: String
    /// Each configured node's status as JSON (`StatusSnapshot`), `nil` when it did not answer.
    public var statuses: [(node: String, json: String?)]

    public init(
        name: String, taken: String, node: String, cluster: String, configVersion: UInt64, configuration: String,
        statuses: [(node: String, json: String?)]
    ) {
        self.name = name
        self.taken = taken
        self.node = node
        self.cluster = cluster
        self.configVersion = configVersion
        self.configuration = configuration
        self.statuses = statuses
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.text == rhs.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    static let magic = "vigil snapshot 1"

    /// The nodes that did not answer.
    public var unreachable: [String] { statuses.filter { $0.json == nil }.map(\.node) }

    /// The file's text.
    public var text: String {
        var lines = [
            Self.magic, "name: \(name)", "taken: \(taken)", "on: \(node)", "cluster: \(cluster)",
            "configuration version: \(configVersion)", "=== configuration",
        ]
        lines += Self.indented(configuration)
        for (node, json) in statuses {
            guard let json else {
                lines.append("=== status \(node) unreachable")
                continue
            }
            lines.append("=== status \(node)")
            lines += Self.indented(json)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func indented(_ text: String) -> [String] {
        let body = text.hasSuffix("\n") ? String(text.dropLast()) : text
        return body.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
    }

    /// Reads a snapshot's text; throws a `SnapshotFileError` naming the line that is not one.
    public init(parsing text: String, file: String) throws {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first == Self.magic else {
            throw SnapshotFileError("\(file):1: not a vigil snapshot (its first line is not '\(Self.magic)')")
        }
        var header: [String: String] = [:]
        var index = 1
        while index < lines.count, !lines[index].hasPrefix("=== ") {
            let line = lines[index]
            guard let colon = line.range(of: ": ") else {
                throw SnapshotFileError("\(file):\(index + 1): expected 'key: value' in the heading, found '\(line)'")
            }
            header[String(line[..<colon.lowerBound])] = String(line[colon.upperBound...])
            index += 1
        }
        var sections: [(heading: String, body: [String])] = []
        while index < lines.count {
            let line = lines[index]
            if line.hasPrefix("=== ") {
                sections.append((String(line.dropFirst(4)), []))
            } else if line.hasPrefix("  ") {
                sections[sections.count - 1].body.append(String(line.dropFirst(2)))
            } else if !(line.isEmpty && index == lines.count - 1) {
                throw SnapshotFileError("\(file):\(index + 1): a section's lines start with two spaces")
            }
            index += 1
        }
        guard let name = header["name"], let taken = header["taken"], let node = header["on"],
            let cluster = header["cluster"], let version = header["configuration version"].flatMap(UInt64.init)
        else {
            throw SnapshotFileError(
                "\(file): the heading needs name, taken, on, cluster and configuration version")
        }
        guard let configuration = sections.first(where: { $0.heading == "configuration" }) else {
            throw SnapshotFileError("\(file): no '=== configuration' section")
        }
        var statuses: [(node: String, json: String?)] = []
        for section in sections where section.heading.hasPrefix("status ") {
            let words = section.heading.split(separator: " ").map(String.init)
            guard words.count >= 2 else { continue }
            statuses.append((words[1], words.count > 2 ? nil : section.body.joined(separator: "\n")))
        }
        self.init(
            name: name, taken: taken, node: node, cluster: cluster, configVersion: version,
            configuration: configuration.body.joined(separator: "\n") + "\n", statuses: statuses)
    }

    /// Whether `name` can name a snapshot file: 1 to 64 ASCII letters, digits, `_`, `-` and `.`,
    /// starting with a letter or digit.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, (1...64).contains(name.utf8.count) else { return false }
        let allowed = { (scalar: Unicode.Scalar) in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "_-.".unicodeScalars.contains(scalar))
        }
        return first.isASCII && CharacterSet.alphanumerics.contains(first) && name.unicodeScalars.allSatisfy(allowed)
    }
}

/// A snapshot file that cannot be read.
public struct SnapshotFileError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
