#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Process helpers for the demo: every signal goes to a pid (or the process group of a pid) that
/// the demo started or read from a pid file of its own, never to processes found by name.
enum DemoProcesses {
    /// Whether `pid` exists and is not a zombie waiting to be reaped.
    static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 1, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }

    /// Polls until `pid` is gone or `timeout` passes; true when gone.
    static func waitGone(_ pid: Int32, timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isAlive(pid) {
            if ContinuousClock.now >= deadline { return false }
            usleep(20_000)
        }
        return true
    }

    /// SIGKILLs `pid` and, when it leads or belongs to a process group other than ours, that whole
    /// group (a crashed node's application and its children die together). Returns what was signalled.
    @discardableResult
    static func killHard(_ pid: Int32) -> String {
        guard pid > 1 else { return "nothing" }
        let group = getpgid(pid)
        if group > 1, group != getpgrp() {
            kill(-group, SIGKILL)
            kill(pid, SIGKILL)
            return "process group \(group)"
        }
        kill(pid, SIGKILL)
        return "pid \(pid)"
    }

    /// Removes `path`, treating a file that is already gone as removed; other failures are reported.
    static func remove(_ path: String) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do { try FileManager.default.removeItem(atPath: path) } catch { return "cannot remove \(path): \(error)" }
        return nil
    }
}
