import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One cgroup v2 directory, by its path under the cgroup2 mount: what application containment
/// needs (create, look, signal, kill, wait, remove). Every operation is synchronous and uses no
/// Swift concurrency, so that the watchdog thread and the watchdog process can call them while the
/// daemon's tasks are stuck.
public struct CgroupDirectory: Sendable, Hashable, CustomStringConvertible {
    public let path: String

    /// Rounds of the signal kill (without `cgroup.kill`), 2 ms apart: a frozen cgroup cannot fork,
    /// so a round finds only what the previous one had not yet seen die; 50 rounds (100 ms and
    /// more) end even a tree that was forking as fast as it could when it was frozen.
    static let signalRounds = 50
    /// The most of `cgroup.procs` read: 1 MiB is about 140 000 pids, more than `pid_max` allows
    /// in a cgroup of applications.
    static let readLimit = 1 << 20

    public init(_ path: String) {
        precondition(
            path.hasPrefix("/") && path.count > 1 && !path.hasSuffix("/"),
            "not a cgroup directory path: \(path)")
        self.path = path
    }

    public var description: String { "cgroup \(path)" }

    /// The directory below this one named `name` (a single path component).
    public func child(_ name: String) -> CgroupDirectory {
        precondition(!name.isEmpty && !name.contains("/") && name != "." && name != "..", "not a cgroup name: \(name)")
        return CgroupDirectory(path + "/" + name)
    }

    public var exists: Bool { access(path + "/cgroup.procs", F_OK) == 0 }

    /// Whether the kernel offers `cgroup.kill` here (Linux 5.14 and later; never on a root cgroup).
    public var hasKillFile: Bool { access(path + "/cgroup.kill", F_OK) == 0 }

    /// Creates the directory and every missing parent (`mkdir -p`); one that exists is fine.
    public func create() throws(DriverFailure) {
        var partial = ""
        for component in path.split(separator: "/") {
            partial += "/" + component
            if mkdir(partial, 0o755) != 0 && errno != EEXIST {
                throw DriverFailure("cannot create \(partial): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Whether a process runs in it or below (`populated` of `cgroup.events`; a zombie does not
    /// count); `nil` when it cannot be read (no such cgroup).
    public var populated: Bool? {
        guard let events = Self.read(path + "/cgroup.events") else { return nil }
        for line in events.split(separator: "\n") where line.hasPrefix("populated ") {
            return line.hasSuffix(" 1")
        }
        return nil
    }

    /// The pids in this directory itself (`cgroup.procs`), not below it.
    public var processes: [Int32] {
        (Self.read(path + "/cgroup.procs") ?? "").split(separator: "\n").compactMap { Int32($0) }
    }

    /// Every directory below this one, deepest first (the order they can be removed in).
    public var descendants: [CgroupDirectory] {
        var found: [CgroupDirectory] = []
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
        for name in names.sorted() {
            var info = stat()
            guard lstat(path + "/" + name, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { continue }
            let below = child(name)
            found += below.descendants + [below]
        }
        return found
    }

    /// Sends `signal` to every process in it and below; returns how many were sent one.
    @discardableResult
    public func signalAll(_ signal: Int32) -> Int {
        var sent = 0
        for directory in [self] + descendants {
            for pid in directory.processes where pid > 1 && sendSignal(pid, signal) == 0 { sent += 1 }
        }
        return sent
    }

    /// How `kill` stops every process of the subtree.
    public enum KillMethod: Sendable {
        /// Writes `1` to `cgroup.kill`: the kernel kills the whole subtree, including a process
        /// forking at that moment.
        case killFile
        /// Freezes the subtree, SIGKILLs every process found in round after round until none is
        /// left (a frozen process cannot fork, but dies of SIGKILL), then thaws it.
        case signals
    }

    /// Kills every process in it and below, with `cgroup.kill` where the kernel has it. Returns a
    /// line for the log. It does not wait for the processes to go: see `waitUntilEmpty`.
    public func kill(_ method: KillMethod? = nil) -> String {
        switch method ?? (hasKillFile ? .killFile : .signals) {
        case .killFile:
            if let failure = Self.write("1", to: path + "/cgroup.kill") { return "kill \(self): \(failure)" }
            return "kill \(self): cgroup.kill written"
        case .signals:
            let frozen = Self.write("1", to: path + "/cgroup.freeze") == nil
            var killed = 0
            for _ in 0..<Self.signalRounds {
                let sent = signalAll(SIGKILL)
                if sent == 0 { break }
                killed += sent
                Watchdog.sleep(.milliseconds(2))
            }
            let left = signalAll(0)
            let thawed = !frozen || Self.write("0", to: path + "/cgroup.freeze") == nil
            let how = frozen ? (thawed ? "frozen, then thawed" : "frozen, and NOT thawed") : "could not be frozen"
            return "kill \(self) by signal (no cgroup.kill): \(killed) SIGKILLs sent, \(how)"
                + (left > 0 ? ", \(left) processes still signallable" : "")
        }
    }

    /// Sleeps (no Swift concurrency) until nothing runs in it or below, for at most `limit`;
    /// returns whether it is empty. A cgroup that cannot be read counts as empty (it is gone).
    public func waitUntilEmpty(within limit: Duration) -> Bool {
        let deadline = Watchdog.monotonicNanoseconds() + UInt64(limit.nanoseconds)
        while populated == true {
            guard Watchdog.monotonicNanoseconds() < deadline else { return false }
            Watchdog.sleep(.milliseconds(2))
        }
        return true
    }

    /// Removes every directory below it, deepest first; returns one line per directory that could
    /// not be removed (a process runs in it: `Device or resource busy`).
    public func removeDescendants() -> [String] {
        descendants.compactMap { directory in directory.remove().map { "cannot remove \(directory): \($0)" } }
    }

    /// Removes the directory itself (it must hold no process and no directory). Returns why it
    /// could not; one that is already gone counts as removed.
    public func remove() -> String? {
        rmdir(path) == 0 || errno == ENOENT ? nil : String(cString: strerror(errno))
    }

    /// A cgroup file's text, up to `readLimit`; `nil` when it cannot be opened or read.
    static func read(_ file: String) -> String? {
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < readLimit {
            let count = chunk.withUnsafeMutableBytes { readBytes(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { break }
            bytes += chunk.prefix(count)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `text` to a cgroup file in one `write`; returns why it failed, or `nil`.
    static func write(_ text: String, to file: String) -> String? {
        let fd = open(file, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return "cannot open \(file): \(String(cString: strerror(errno)))" }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { writeBytes(fd, $0.baseAddress, $0.count) }
        return written == bytes.count ? nil : "cannot write \(file): \(String(cString: strerror(errno)))"
    }
}

// The C calls under the names the type's own methods shadow.
private func sendSignal(_ pid: Int32, _ signal: Int32) -> Int32 { kill(pid, signal) }
private func readBytes(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
private func writeBytes(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }
