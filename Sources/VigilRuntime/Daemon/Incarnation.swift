import Foundation

/// A node's incarnation: larger on every start of the daemon, so that its peers tell a restarted
/// node from the one before. Kept in the state directory, and never below the wall clock in
/// milliseconds, so that a lost state directory cannot bring an old number back.
enum Incarnation {
    /// The incarnation of this start, recorded before it is returned: a daemon that cannot record
    /// it must not start (its next start could take the same number). A missing file counts as 0;
    /// one that cannot be read, or holds no number, is an error (it may hold a larger one).
    static func next(stateDirectory: String) throws -> UInt64 {
        let path = stateDirectory + "/incarnation"
        var stored: UInt64 = 0
        if FileManager.default.fileExists(atPath: path) {
            let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let value = UInt64(text), value <= WireLimits.largestCounter else {
                throw IncarnationError(
                    "\(path) holds \"\(text.prefix(40))\", not an incarnation number: "
                        + "remove it if the state directory is this node's (the wall clock then starts the count)")
            }
            stored = value
        }
        let wall = UInt64(max(0, Date().timeIntervalSince1970 * 1000))
        let next = max(stored + 1, wall)
        try record(next, stateDirectory: stateDirectory)
        return next
    }

    /// Records an incarnation (durably: written to a new file, synced, then renamed over the old).
    static func record(_ incarnation: UInt64, stateDirectory: String) throws {
        try Data("\(incarnation)\n".utf8).write(
            to: URL(fileURLWithPath: stateDirectory + "/incarnation"), options: .atomic)
    }
}

/// The incarnation file cannot be used.
struct IncarnationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
