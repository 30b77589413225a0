import ArgumentParser
import Foundation
import Testing
@testable import VigilCLI
import VigilRoot

@Suite("vigil watchdog query and test, against a fake sysfs and proc tree (no real watchdog is opened)")
struct WatchdogCommandTests {
    /// A temporary root with `class/watchdog/watchdog0` holding `files`, and a proc tree where
    /// `holder` (if any) holds /dev/watchdog.
    final class FakeTree {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-watchdog-\(UUID())").path
        var sysfs: String { "\(root)/sys" }
        var proc: String { "\(root)/proc" }

        init(_ files: [String: String]?, holder: (pid: Int, command: String)? = nil) throws {
            let manager = FileManager.default
            try manager.createDirectory(atPath: "\(sysfs)/class/watchdog", withIntermediateDirectories: true)
            try manager.createDirectory(atPath: proc, withIntermediateDirectories: true)
            if let files {
                let entry = "\(sysfs)/class/watchdog/watchdog0"
                try manager.createDirectory(atPath: entry, withIntermediateDirectories: true)
                for (name, text) in files { try "\(text)\n".write(toFile: "\(entry)/\(name)", atomically: true, encoding: .utf8) }
            }
            if let holder {
                try manager.createDirectory(atPath: "\(proc)/\(holder.pid)/fd", withIntermediateDirectories: true)
                try "\(holder.command)\n".write(toFile: "\(proc)/\(holder.pid)/comm", atomically: true, encoding: .utf8)
                try manager.createSymbolicLink(atPath: "\(proc)/\(holder.pid)/fd/4", withDestinationPath: "/dev/watchdog")
            }
        }

        deinit { try? FileManager.default.removeItem(atPath: root) }

        func query(_ extra: [String] = []) throws -> WatchdogQueryCommand {
            let parsed = try VigilCommand.parseAsRoot(
                ["watchdog", "query", "--sysfs-root", sysfs, "--proc-root", proc] + extra)
            return try #require(parsed as? WatchdogQueryCommand)
        }
    }

    static let softdog = [
        "identity": "Software Watchdog", "state": "active", "timeout": "5", "timeleft": "4", "nowayout": "0",
        "bootstatus": "0",
    ]

    @Test("a softdog that vigild holds: identity, softdog, timeout, nowayout, who holds it")
    func softdogHeldByVigild() throws {
        let tree = try FakeTree(Self.softdog, holder: (1234, "vigild"))
        let (lines, failed) = try tree.query().output()
        #expect(!failed)
        #expect(lines == [
            "device: /dev/watchdog (watchdog0)",
            "identity: Software Watchdog (the kernel's softdog: it resets when the pets stop, not when the kernel "
                + "hangs; vigild accepts it with a warning)",
            "state: active",
            "timeout: 5s",
            "time left: 4s",
            "nowayout: no (a magic close disarms it)",
            "boot status: 0",
            "held by: vigild (pid 1234) (vigild is using it)",
        ])
    }

    @Test("a hardware watchdog held by another daemon, with nowayout, after a watchdog reset")
    func hardwareHeldBySbd() throws {
        let tree = try FakeTree(
            ["identity": "iTCO_wdt", "state": "inactive", "timeout": "30", "nowayout": "1", "bootstatus": "0x20"],
            holder: (812, "sbd"))
        let (lines, failed) = try tree.query().output()
        #expect(!failed)
        #expect(lines.contains("identity: iTCO_wdt"))
        #expect(!lines.contains { $0.hasPrefix("time left") })
        #expect(lines.contains("nowayout: yes (once opened it cannot be disarmed: stopping its daemon resets the node)"))
        #expect(lines.contains("boot status: 0x20 (the last boot was a watchdog reset)"))
        #expect(lines.last == "held by: sbd (pid 812) (another watchdog daemon: vigild cannot open it)")
    }

    @Test("without any watchdog: a clear message and a failure; a missing one names those there are")
    func noWatchdog() throws {
        let none = try FakeTree(nil)
        let (lines, failed) = try none.query().output()
        #expect(failed && lines.count == 1)
        #expect(lines[0].hasPrefix("vigil watchdog query: no watchdog device /dev/watchdog ("))
        #expect(lines[0].hasSuffix("no watchdog driver is loaded (a hardware one, or `modprobe softdog` to try Vigil out)"))
        #expect(throws: ExitCode(1)) { try none.query().run() }
        let some = try FakeTree(Self.softdog)
        let (other, otherFailed) = try some.query(["--device", "/dev/watchdog3"]).output()
        #expect(otherFailed)
        #expect(other[0].hasSuffix("the watchdogs here are watchdog0: give --device /dev/watchdog0"))
        #expect(WatchdogSysfs.entryName(of: "/dev/watchdog") == "watchdog0")
        #expect(WatchdogSysfs.entryName(of: "/dev/watchdog1") == "watchdog1")
    }

    @Test("test refuses without --yes-reset-this-node, in one line, touching nothing")
    func testRefuses() throws {
        let parsed = try VigilCommand.parseAsRoot(["watchdog", "test", "--device", "/nonexistent/watchdog"])
        let command = try #require(parsed as? WatchdogTestCommand)
        #expect(command.refusal == "vigil watchdog test: refused: it resets this node (it arms /nonexistent/watchdog "
            + "and stops petting it); give --yes-reset-this-node to go ahead")
        #expect(throws: ExitCode(1)) { try command.run() }
        let confirmed = try VigilCommand.parseAsRoot(["watchdog", "test", "--yes-reset-this-node"])
        #expect((confirmed as? WatchdogTestCommand)?.refusal == nil)
    }

    @Test("test takes a timeout of whole seconds from 1s to 1h")
    func testTimeout() throws {
        for bad in ["0s", "1.5s", "2h", "five"] {
            #expect(throws: (any Error).self) { try VigilCommand.parseAsRoot(["watchdog", "test", "--timeout", bad]) }
        }
        let parsed = try VigilCommand.parseAsRoot(["watchdog", "test", "--timeout", "10s"])
        #expect(try (parsed as? WatchdogTestCommand)?.timeoutValue() == .seconds(10))
    }
}
