/// Where something was written: a file, a line and a column (both from 1).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// Where each field of a loaded configuration was written, so that `verify` can point at it.
///
/// Keys are field paths such as `nodes[ghost4].interfaces[1].address`: list entries are named by
/// their identifying name where they have one (node, network, group, application...), by index
/// otherwise. `location(of:)` falls back to the nearest enclosing path that was recorded.
public struct SourceMap: Sendable, Equatable {
    public var file: String
    public private(set) var locations: [String: SourceLocation]

    public init(file: String, locations: [String: SourceLocation] = [:]) {
        self.file = file
        self.locations = locations
    }

    public mutating func record(_ path: String, _ location: SourceLocation) {
        if locations[path] == nil { locations[path] = location }
    }

    /// The location of `path`, or of its nearest recorded parent, or the top of the file.
    public func location(of path: String) -> SourceLocation {
        var current = Substring(path)
        while true {
            if let found = locations[String(current)] { return found }
            guard let parent = Self.parent(of: current) else { break }
            current = parent
        }
        return SourceLocation(file: file, line: 1, column: 1)
    }

    /// `a.b[c.d].e` -> `a.b[c.d]` -> `a.b` -> `a`: cuts the last component, never inside brackets
    /// (entry names such as `sharedvg.01` or `/shared.01/lv.01` contain dots).
    static func parent(of path: Substring) -> Substring? {
        var depth = 0
        var index = path.endIndex
        while index > path.startIndex {
            index = path.index(before: index)
            switch path[index] {
            case "]": depth += 1
            case "[":
                depth -= 1
                if depth == 0 { return path[..<index] }
            case "." where depth == 0: return path[..<index]
            default: continue
            }
        }
        return nil
    }
}

/// How list entries are named in `SourceMap` paths, shared by the loader and `verify` so that both
/// compute the same path for the same entry.
public enum SourcePath {
    /// The longest name used as a key, in bytes: an entry with a longer name (which `verify`
    /// refuses) is keyed by its index, so that no name is copied into every path under it.
    public static let longestKey = 255

    /// The key of each entry of a list: its name when it has one not used by an earlier entry (and
    /// at most `longestKey` bytes), its index otherwise. `["a", "b", "a", nil]` gives `["a", "b", "2", "3"]`.
    public static func entryKeys(_ names: [String?]) -> [String] {
        var seen: Set<String> = []
        return names.enumerated().map { index, name in
            guard let name, !name.isEmpty, name.utf8.count <= longestKey, seen.insert(name).inserted else {
                return String(index)
            }
            return name
        }
    }

    /// `list[key]` for every entry of a list, from the entries' names.
    public static func entryPaths(_ list: String, names: [String?]) -> [String] {
        entryKeys(names).map { "\(list)[\($0)]" }
    }
}
