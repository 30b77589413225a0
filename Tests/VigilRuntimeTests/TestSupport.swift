#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import VigilRuntime

/// A fresh directory under /tmp, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init(_ name: String = #function) {
        let clean = name.filter { $0.isLetter || $0.isNumber }
        path = "/tmp/vigil-test-\(clean.prefix(40))-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    func read(_ name: String) -> String { (try? String(contentsOfFile: file(name), encoding: .utf8)) ?? "" }
}

/// Whether `pid` is gone or a zombie (dead, not yet reaped by whoever inherited it).
func isDead(_ pid: Int32) -> Bool {
    guard let stat = ProcessGroup.stat(of: pid) else { return true }
    return stat.state == "Z"
}

/// Polls `condition` every 20 ms for at most `limit`; returns its last value.
func eventually(within limit: Duration = .seconds(10), _ condition: () async -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + limit
    while clock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}

var isRoot: Bool { getuid() == 0 }

/// The cgroup2 mount, when this process is root and one is mounted: what the cgroup tests need
/// (they declare it with `.enabled(if: canWriteCgroups)`).
let cgroupMount: String? = isRoot
    ? ApplicationContainment.cgroup2Mount(in: CgroupDirectory.read("/proc/self/mountinfo") ?? "") : nil

var canWriteCgroups: Bool { cgroupMount != nil }

/// Kills everything in a test's cgroup root and removes it with every directory below it.
func removeCgroupTree(_ root: CgroupDirectory) {
    guard root.exists else { return }
    _ = root.kill()
    _ = root.waitUntilEmpty(within: .seconds(5))
    _ = root.removeDescendants()
    _ = root.remove()
}

/// A throwaway network namespace with an interface `dummy0` (up, with carrier: one end of a veth
/// pair whose other end, `dummy0peer`, is up too; some kernels have no `dummy` device type),
/// deleted by `remove()`. Tests that need one declare it with `.enabled(if: TestNamespace.available, ...)`, so that where
/// namespaces cannot be made the report says they were skipped.
struct TestNamespace {
    let name: String

    /// Whether this machine lets the tests make namespaces: root, and `ip netns add` works (tried
    /// once, with a namespace removed at once).
    static let available: Bool = {
        guard isRoot else { return false }
        let probe = "vigil-probe-\(getpid())"
        guard shell("ip netns add \(probe) 2>/dev/null") == 0 else { return false }
        shell("ip netns del \(probe)")
        return true
    }()

    struct Unavailable: Error, CustomStringConvertible { let description: String }

    /// A new namespace; throws when one cannot be made (the test then fails: it declared it needs one).
    static func make() throws -> TestNamespace {
        let name = "vigil-test-\(getpid())-\(UInt16.random(in: 0...UInt16.max))"
        let namespace = TestNamespace(name: name)
        guard shell("ip netns add \(name)") == 0 else { throw Unavailable(description: "ip netns add \(name) failed") }
        let links = "ip link add dummy0 type veth peer name dummy0peer && ip link set dummy0peer up"
        guard namespace.exec("\(links) && ip link set dummy0 up && ip link set lo up") == 0 else {
            namespace.remove()
            throw Unavailable(description: "cannot create a dummy interface in \(name)")
        }
        return namespace
    }

    var prefix: String { "ip netns exec \(name)" }

    @discardableResult
    func exec(_ command: String) -> Int32 { shell("ip netns exec \(name) sh -c '\(command)'") }

    func output(_ command: String) -> String { shellOutput("ip netns exec \(name) \(command)") }

    func remove() { shell("ip netns del \(name)") }
}

/// Runs `command` with `/bin/sh -c` synchronously (for test set-up), returning its exit status.
@discardableResult
func shell(_ command: String) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    try! process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

func shellOutput(_ command: String) -> String {
    let process = Process()
    let pipe = Pipe()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    process.standardOutput = pipe
    try! process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// A `CommandRunning` that records command lines and answers from a script.
final class FakeRunner: CommandRunning, @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    let answer: @Sendable (String) -> CommandResult

    init(answer: @escaping @Sendable (String) -> CommandResult = { _ in CommandResult(status: .exited(0)) }) {
        self.answer = answer
    }

    var commands: [String] { lock.withLock { lines } }

    func run(_ command: ShellCommand) async -> CommandResult {
        lock.withLock { lines.append(command.line) }
        return answer(command.line)
    }

    /// Spawns nothing, so it never calls `admit` (no process group to record).
    func launch(
        _ command: ShellCommand, outputFile: String?, admit: (@Sendable (Int32) -> Bool)?
    ) async -> CommandResult {
        await run(command)
    }
}
