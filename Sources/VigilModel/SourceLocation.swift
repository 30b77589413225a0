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
        var current = path
        while true {
            if let found = locations[current] { return found }
            guard let cut = current.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            current = String(current[..<cut])
        }
        return SourceLocation(file: file, line: 1, column: 1)
    }
}
