import Foundation

/// Finds host tools (`ip`, `vgchange`, `exportfs`, ...) before a driver relies on them, so that a
/// missing one is reported as "vgchange not found" instead of a shell's exit 127.
public struct CommandLookup: Sendable {
    /// Directories searched, in order: `PATH`, then the sbin directories root's tools live in.
    public var directories: [String]

    public init(directories: [String]? = nil) {
        if let directories {
            self.directories = directories
        } else {
            let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
            let fromPath = path.split(separator: ":").map(String.init)
            let system = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
            self.directories = fromPath + system.filter { !fromPath.contains($0) }
        }
    }

    /// The full path of the executable `name`, or `nil`.
    public func path(of name: String) -> String? {
        directories.lazy.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The full path of `name`, or a driver failure saying that it is missing.
    public func require(_ name: String) -> Result<String, DriverFailure> {
        path(of: name).map { .success($0) } ?? .failure(DriverFailure("\(name) not found"))
    }
}

/// Why a driver could not do what it was asked; the text goes to the core as the action's failure
/// reason and into the event log.
public struct DriverFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Quotes a word for `/bin/sh`.
func shellQuote(_ word: String) -> String {
    if !word.isEmpty, word.allSatisfy({ $0.isLetter || $0.isNumber || "-_./:=,@%+".contains($0) }) { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
