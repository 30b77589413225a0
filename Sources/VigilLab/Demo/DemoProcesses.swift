import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Process helpers for the demo: every signal goes to a pid (or the process group of a pid) that
/// the demo started or read from a pid file of its own, never to processes found by name.
enum DemoProcesses {
    /// Whether `pid` exists and is not a zombie waiting to be reaped.
    static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 1, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }

    /// Polls until `pid` is gone or `timeout` passes; true when gone.
    static func waitGone(_ pid: Int32, timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isAlive(pid) {
            if ContinuousClock.now >= deadline { return false }
            usleep(2_000)  // a stop is on a takeover's critical path: notice the end at once
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

    /// A process as the kernel knows it: its pid and its start time (in clock ticks since boot), so
    /// that a pid reused by an unrelated process later is never signalled.
    struct Identity: Sendable, Hashable {
        var pid: Int32
        var startTime: UInt64

        /// The process `pid` now, or nil when there is none.
        init?(pid: Int32) {
            guard pid > 1, let fields = DemoProcesses.statFields(pid), fields.count > 19,
                let start = UInt64(fields[19])
            else { return nil }
            self.pid = pid
            self.startTime = start
        }

        /// Whether this same process still runs.
        var isAlive: Bool { Identity(pid: pid) == self && DemoProcesses.isAlive(pid) }
    }

    /// The fields of /proc/PID/stat after the command name (the state is field 0).
    static func statFields(_ pid: Int32) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
    }

    /// Every descendant of `pid` now (children first, then theirs), from /proc/PID/task/*/children.
    static func descendants(of pid: Int32) -> [Identity] {
        var found: [Identity] = []
        var queue = [pid]
        while let next = queue.first, found.count < 256 {
            queue.removeFirst()
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(next)/task")) ?? []
            for task in tasks {
                let text = (try? String(contentsOfFile: "/proc/\(next)/task/\(task)/children", encoding: .utf8)) ?? ""
                for child in text.split(separator: " ").compactMap({
                    Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
                }) {
                    guard let identity = Identity(pid: child), !found.contains(identity) else { continue }
                    found.append(identity)
                    queue.append(child)
                }
            }
        }
        return found
    }

    /// Removes `path`, treating a file that is already gone as removed; other failures are reported.
    static func remove(_ path: String) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do { try FileManager.default.removeItem(atPath: path) } catch { return "cannot remove \(path): \(error)" }
        return nil
    }
}
