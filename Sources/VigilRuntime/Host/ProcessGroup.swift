import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A process group the runtime started (a command's shell ran as a session leader, so the group id is
/// its pid): signalling it and finding which of its members still run, from `/proc`.
public struct ProcessGroup: Sendable, Hashable, CustomStringConvertible {
    public let id: Int32

    public init(_ id: Int32) {
        precondition(id > 1, "refusing to address process group \(id)")
        self.id = id
    }

    public var description: String { "process group \(id)" }

    /// Sends `signal` to every member. Returns false when the group has no member left.
    @discardableResult
    public func signal(_ signal: Int32) -> Bool { kill(-id, signal) == 0 }

    /// Pids of members that are running (not zombies), read from `/proc/PID/stat`. A zombie whose
    /// parent is slow to reap it holds no resources and does not count.
    public var livingMembers: [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = ProcessGroup.stat(of: pid) else { return false }
            return stat.group == id && stat.state != "Z"
        }
    }

    public var isAlive: Bool { !livingMembers.isEmpty }

    /// SIGTERM to the group, up to `grace` for it to go, then SIGKILL and a short wait for the kernel
    /// to finish. Returns whether no member is left running.
    public func terminate(grace: Duration) async -> Bool {
        guard isAlive else { return true }
        signal(SIGTERM)
        if await waitUntilGone(within: grace) { return true }
        signal(SIGKILL)
        return await waitUntilGone(within: .seconds(2))
    }

    /// Polls until no member runs, for at most `limit`.
    public func waitUntilGone(within limit: Duration) async -> Bool {
        await poll(within: limit) { !isAlive }
    }

    /// The state letter and process group of `pid`, from `/proc/PID/stat` (the fields after the
    /// parenthesised command name, which may itself contain spaces and parentheses).
    static func stat(of pid: Int32) -> (state: Character, group: Int32)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 3, let state = fields[0].first, let group = Int32(fields[2]) else { return nil }
        return (state, group)
    }
}

/// Checks `done` every 20 ms for at most `limit` (and once more if the wait is cancelled). Returns
/// whether it became true.
func poll(within limit: Duration, until done: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + limit
    while !done() {
        guard clock.now < deadline else { return false }
        do { try await Task.sleep(for: .milliseconds(20)) } catch { return done() }
    }
    return true
}
