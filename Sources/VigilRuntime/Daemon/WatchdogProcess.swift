#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// The dead man switch as a process of its own (`vigild --watchdog-for PID`), so that it acts even
/// while the daemon is stopped (SIGSTOP), starved, or dead: the daemon pets it through a file in the
/// state directory, and keeps there the plan of what to let go of (service addresses, application
/// process groups). When the pets stop for longer than the trip interval, or the daemon is gone
/// (SIGKILL), the watchdog removes the addresses and kills the applications (and runs the halt
/// command, when configured), and leaves a marker the daemon reads when it runs again.
public enum WatchdogProcess {
    static func petPath(_ directory: String) -> String { directory + "/watchdog.pet" }
    static func planPath(_ directory: String) -> String { directory + "/watchdog.plan" }
    static func trippedPath(_ directory: String) -> String { directory + "/watchdog.tripped" }

    /// The plan as lines: `address DEVICE ADDRESS PREFIX` and `group PGID`.
    static func encode(_ plan: EmergencyPlan) -> String {
        (plan.addresses.map { "address \($0.device) \($0.address) \($0.prefix)" } + plan.processGroups.map { "group \($0)" })
            .map { $0 + "\n" }.joined()
    }

    static func decode(_ text: String) -> EmergencyPlan {
        var plan = EmergencyPlan()
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            if fields.count == 4, fields[0] == "address", let prefix = Int(fields[3]) {
                plan.addresses.append(.init(device: fields[1], address: fields[2], prefix: prefix))
            } else if fields.count == 2, fields[0] == "group", let group = Int32(fields[1]) {
                plan.processGroups.append(group)
            }
        }
        return plan
    }

    /// Watches daemon `pid` until it is gone; returns then. Runs without Swift concurrency.
    public static func supervise(daemon pid: Int32, stateDirectory: String, trip: Duration, haltCommand: [String]?) {
        let release = EmergencyRelease(haltCommand: haltCommand)
        let logs = try? NodeLogs(node: "watchdog", stateDirectory: stateDirectory)
        var tripped = false
        let check = trip / 10
        while true {
            Watchdog.sleep(check)
            let gone = getppid() != pid
            // The pet is read before the clock: a pet written between the two readings would
            // otherwise lie in the future, and the wrapping difference trip the switch (seen on the
            // test bed: "not scheduled for 18446744073709 ms" while the daemon ran).
            let pet = lastPet(stateDirectory)
            let now = Watchdog.monotonicNanoseconds()
            let silent = now > pet ? now - pet : 0
            let late = silent > UInt64(trip.nanoseconds)
            if (late || gone) && !tripped {
                release.update(decode((try? String(contentsOfFile: planPath(stateDirectory), encoding: .utf8)) ?? ""))
                let plan = release.current
                if !plan.addresses.isEmpty || !plan.processGroups.isEmpty || haltCommand != nil {
                    let steps = release.perform()
                    let why = gone ? "the daemon \(pid) is gone" : "the daemon \(pid) was not scheduled for \(silent / 1_000_000) ms"
                    logs?.event("dead man switch tripped: \(why): " + steps.joined(separator: "; "))
                    FileManager.default.createFile(atPath: trippedPath(stateDirectory), contents: Data(why.utf8))
                }
                tripped = true
            } else if !late {
                tripped = false
            }
            if gone { return }
        }
    }

    static func lastPet(_ directory: String) -> UInt64 {
        guard let data = FileManager.default.contents(atPath: petPath(directory)), data.count == 8 else { return 0 }
        return data.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
    }

    /// The daemon's end: starts the watchdog process, pets it, keeps its plan, and reads its marker.
    final class Link: Sendable {
        let directory: String
        private let child: Mutex<Process?> = Mutex(nil)

        init(directory: String) { self.directory = directory }

        /// Starts `vigild --watchdog-for` this process, from the same executable.
        func start(trip: Duration, haltCommand: [String]?) throws {
            pet()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
            var arguments = ["--watchdog-for", "\(getpid())", "--state-dir", directory,
                             "--trip-ms", "\(trip.nanoseconds / 1_000_000)"]
            if let haltCommand { arguments += ["--halt-command", haltCommand.last ?? ""] }
            process.arguments = arguments
            try process.run()
            child.withLock { $0 = process }
        }

        func pet() {
            var now = Watchdog.monotonicNanoseconds()
            let data = withUnsafeBytes(of: &now) { Data($0) }
            let path = WatchdogProcess.petPath(directory)
            let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return }
            _ = data.withUnsafeBytes { pwrite(fd, $0.baseAddress, 8, 0) }
            close(fd)
        }

        func publish(_ plan: EmergencyPlan) {
            let path = WatchdogProcess.planPath(directory)
            try? WatchdogProcess.encode(plan).write(toFile: path, atomically: true, encoding: .utf8)
        }

        /// Whether the watchdog tripped since the last call (the marker is removed).
        func takeTripped() -> Bool {
            let path = WatchdogProcess.trippedPath(directory)
            guard FileManager.default.fileExists(atPath: path) else { return false }
            try? FileManager.default.removeItem(atPath: path)
            return true
        }

        /// An orderly end: nothing left to release, and the watchdog stops.
        func stop() {
            publish(EmergencyPlan())
            child.withLock { process in
                guard let process, process.isRunning else { return }
                process.terminate()
                process.waitUntilExit()
            }
        }
    }
}
