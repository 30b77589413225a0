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
        // The pet file is rewritten in place: opened once, read with one pread per check.
        var petFile: Int32 = -1
        defer { if petFile >= 0 { close(petFile) } }
        var wait = check
        var lifeline = DaemonLifeline(descriptor: STDIN_FILENO)
        while true {
            lifeline.sleep(wait)
            let gone = getppid() != pid
            if petFile < 0 { petFile = open(petPath(stateDirectory), O_RDONLY | O_CLOEXEC) }
            // The pet is read before the clock: a pet written between the two readings would
            // otherwise lie in the future, and the wrapping difference trip the switch (seen on the
            // test bed: "not scheduled for 18446744073709 ms" while the daemon ran).
            let pet = lastPet(petFile)
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
            // At rest, sleep until the last pet could be a trip interval old (the daemon's death
            // ends the sleep at once through the lifeline); once late, look every check.
            wait = late ? check : Watchdog.untilDeadline(silent: silent, trip: UInt64(trip.nanoseconds))
        }
    }

    /// The watchdog's standard input: a pipe whose other end only the daemon holds, so that it
    /// reads as closed the moment the daemon dies. A sleep on it ends then, and a daemon killed
    /// alone has its addresses and applications released at once rather than at its deadline. Any
    /// other standard input (a terminal, /dev/null) is left alone after its first end of file.
    struct DaemonLifeline {
        let descriptor: Int32
        private var usable = true

        init(descriptor: Int32) { self.descriptor = descriptor }

        /// Sleeps for `duration`, or until the pipe closes.
        mutating func sleep(_ duration: Duration) {
            guard usable else { return Watchdog.sleep(duration) }
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(clamping: duration.nanoseconds / 1_000_000 + 1)
            guard poll(&entry, 1, milliseconds) > 0 else { return }
            var byte: UInt8 = 0
            // Data means nothing; an end of file, or a hang-up, is the daemon's end (or no pipe).
            if entry.revents & Int16(POLLIN) != 0, read(descriptor, &byte, 1) > 0 { return }
            usable = false
        }
    }

    static func lastPet(_ directory: String) -> UInt64 {
        let file = open(petPath(directory), O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { return 0 }
        defer { close(file) }
        return lastPet(file)
    }

    /// The pet in an open pet file (0 when it cannot be read).
    static func lastPet(_ file: Int32) -> UInt64 {
        guard file >= 0 else { return 0 }
        var value: UInt64 = 0
        return withUnsafeMutableBytes(of: &value) { pread(file, $0.baseAddress, 8, 0) } == 8 ? value : 0
    }

    /// The daemon's end: starts the watchdog process, pets it, keeps its plan, and reads its marker.
    final class Link: Sendable {
        let directory: String
        private let child: Mutex<Process?> = Mutex(nil)
        /// The write end of the watchdog's lifeline, kept (never written) until the daemon ends.
        private let lifelineEnd: Mutex<FileHandle?> = Mutex(nil)
        /// The pet file, opened at the first pet and kept open (-1 until then).
        private let petFile = Mutex<Int32>(-1)

        init(directory: String) { self.directory = directory }

        /// Starts `vigild --watchdog-for` this process, from `executable` (by default the same
        /// executable), with a pipe from this process as its standard input (`DaemonLifeline`).
        func start(trip: Duration, haltCommand: [String]?, executable: String? = nil) throws {
            pet()
            let process = Process()
            let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            process.executableURL = URL(fileURLWithPath: executable ?? own)
            var arguments = ["--watchdog-for", "\(getpid())", "--state-dir", directory,
                             "--trip-ms", "\(trip.nanoseconds / 1_000_000)"]
            if let haltCommand { arguments += ["--halt-command", haltCommand.last ?? ""] }
            process.arguments = arguments
            // The write end stays open here for the daemon's life, and in no other child: an
            // application that inherited it would keep the pipe open after the daemon died.
            let lifeline = Pipe()
            _ = fcntl(lifeline.fileHandleForWriting.fileDescriptor, F_SETFD, FD_CLOEXEC)
            process.standardInput = lifeline
            try process.run()
            lifelineEnd.withLock { $0 = lifeline.fileHandleForWriting }
            child.withLock { $0 = process }
        }

        deinit {
            let file = petFile.withLock { $0 }
            if file >= 0 { close(file) }
        }

        func pet() {
            var now = Watchdog.monotonicNanoseconds()
            petFile.withLock { file in
                if file < 0 { file = open(WatchdogProcess.petPath(directory), O_WRONLY | O_CREAT | O_CLOEXEC, 0o600) }
                guard file >= 0 else { return }
                if withUnsafeBytes(of: &now, { pwrite(file, $0.baseAddress, 8, 0) }) != 8 {
                    close(file)
                    file = -1
                }
            }
        }

        /// Writes the plan the watchdog process reads when it trips (a new file renamed over the
        /// old, so that it reads one plan or the other, never half of one).
        func publish(_ plan: EmergencyPlan) throws {
            let path = WatchdogProcess.planPath(directory)
            try Data(WatchdogProcess.encode(plan).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        }

        /// Whether the watchdog tripped since the last call (the marker is removed).
        func takeTripped() -> Bool {
            let path = WatchdogProcess.trippedPath(directory)
            guard access(path, F_OK) == 0 else { return false }
            try? FileManager.default.removeItem(atPath: path)
            return true
        }

        /// An orderly end: nothing left to release, and the watchdog stops.
        func stop() throws {
            try publish(EmergencyPlan())
            child.withLock { process in
                guard let process, process.isRunning else { return }
                process.terminate()
                process.waitUntilExit()
            }
        }
    }
}
