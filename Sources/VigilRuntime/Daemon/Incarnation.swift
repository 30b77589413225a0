import Foundation

/// A node's incarnation: larger on every start of the daemon, so that its peers tell a restarted
/// node from the one before. Kept in the state directory, and never below the wall clock in
/// milliseconds, so that a lost state directory cannot bring an old number back.
enum Incarnation {
    static func next(stateDirectory: String) -> UInt64 {
        let path = stateDirectory + "/incarnation"
        let stored = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        let wall = UInt64(max(0, Date().timeIntervalSince1970 * 1000))
        let next = max(stored + 1, wall)
        try? "\(next)\n".write(toFile: path, atomically: true, encoding: .utf8)
        return next
    }

    /// Records an incarnation the core took by itself (a start after a stop in the same daemon),
    /// so that the next daemon start goes above it.
    static func record(_ incarnation: UInt64, stateDirectory: String) {
        try? "\(incarnation)\n".write(toFile: stateDirectory + "/incarnation", atomically: true, encoding: .utf8)
    }
}
