import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The dead man switch as a process of its own (`vigild --watchdog-for PID`), so that it acts even
/// while the daemon is stopped (SIGSTOP), starved, or dead: the daemon pets it through a file in the
/// state directory, and keeps there the plan of what to let go of (service addresses, the
/// applications' cgroup root and process groups). When the pets stop for longer than the trip
/// interval, or the daemon is gone (SIGKILL), the watchdog removes the addresses and kills the
/// applications (and runs the halt command, when configured), and leaves a marker the daemon
/// reads when it runs again.
public enum WatchdogProcess {
    static func petPath(_ directory: String) -> String { directory + "/watchdog.pet" }
    static func planPath(_ directory: String) -> String { directory + "/watchdog.plan" }
    static func trippedPath(_ directory: String) -> String { directory + "/watchdog.tripped" }

    /// The plan as lines: `address DEVICE ADDRESS PREFIX`, `group PGID` and `cgroup PATH` (the
    /// rest of the line: a path may hold spaces, never a newline).
    static func encode(_ plan: EmergencyPlan) -> String {
        let addresses = plan.addresses.map { "address \($0.device) \($0.address) \($0.prefix)" }
        let cgroups = plan.cgroups.map { path in
            precondition(!path.contains("\n"), "a cgroup path with a newline: \(path)")
            return "cgroup \(path)"
        }
        return (addresses + plan.processGroups.map { "group \($0)" } + cgroups).map { $0 + "\n" }.joined()
    }

    static func decode(_ text: String) -> EmergencyPlan {
        var plan = EmergencyPlan()
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            if fields.count == 4, fields[0] == "address", let prefix = Int(fields[3]) {
                plan.addresses.append(.init(device: fields[1], address: fields[2], prefix: prefix))
            } else if fields.count == 2, fields[0] == "group", let group = Int32(fields[1]) {
                plan.processGroups.append(group)
            } else if line.hasPrefix("cgroup /") {
                plan.cgroups.append(String(line.dropFirst("cgroup ".count)))
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
        // The plan as the daemon wrote it before starting this process (it names the cgroup root):
        // what is released if the plan cannot be read when the switch trips.
        var known = readPlan(stateDirectory)
        if case .failure(let failure) = known { logs?.event("the watchdog cannot read its plan: \(failure.reason)") }
        while true {
            lifeline.sleep(wait)
            var gone = getppid() != pid
            if !gone && lifeline.takeClosed() {
                gone = waitUntilOrphaned(from: pid)
                if !gone { logs?.event("the daemon's lifeline closed while it runs: watching its pets alone") }
            }
            if petFile < 0 { petFile = open(petPath(stateDirectory), O_RDONLY | O_CLOEXEC) }
            // The pet is read before the clock: a pet written between the two readings would
            // otherwise lie in the future, and the wrapping difference trip the switch (seen on the
            // test bed: "not scheduled for 18446744073709 ms" while the daemon ran).
            let pet = lastPet(petFile)
            let now = Watchdog.monotonicNanoseconds()
            let silent = now > pet ? now - pet : 0
            let late = silent > UInt64(trip.nanoseconds)
            if (late || gone) && !tripped {
                var steps: [String] = []
                switch readPlan(stateDirectory) {
                case .success(let plan): known = .success(plan)
                case .failure(let failure): steps.append("\(failure.reason): releasing the last plan read")
                }
                switch known {
                case .success(let plan): release.update(plan)
                case .failure: release.update(EmergencyPlan())
                }
                let plan = release.current
                if !plan.isEmpty || haltCommand != nil {
                    steps += release.perform()
                    // A dead daemon's root goes too (the next daemon makes it again); a late one's
                    // stays, for the daemon that may still run.
                    if gone { steps += plan.cgroups.map { removeRoot($0) } }
                    let why =
                        gone
                        ? "the daemon \(pid) is gone"
                        : "the daemon \(pid) was not scheduled for \(silent / 1_000_000) ms"
                    logs?.event("dead man switch tripped: \(why): " + steps.joined(separator: "; "))
                    if !FileManager.default.createFile(atPath: trippedPath(stateDirectory), contents: Data(why.utf8)) {
                        logs?.event(
                            "ERROR: cannot leave the marker \(trippedPath(stateDirectory)): "
                                + "the daemon may not learn of the trip")
                    }
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

    /// The plan file's contents; a missing or unreadable file is a failure (the daemon writes
    /// one before it starts this process).
    static func readPlan(_ directory: String) -> Result<EmergencyPlan, DriverFailure> {
        do {
            return .success(decode(try String(contentsOfFile: planPath(directory), encoding: .utf8)))
        } catch {
            return .failure(DriverFailure("cannot read the plan \(planPath(directory)): \(error.localizedDescription)"))
        }
    }

    /// Removes a dead daemon's (emptied) application root; returns a line for the log.
    static func removeRoot(_ path: String) -> String {
        guard path.hasPrefix("/"), path.count > 1 else { return "not a cgroup: \(path)" }
        let root = CgroupDirectory(path)
        return root.remove().map { "cannot remove \(root): \($0)" } ?? "\(root) removed"
    }

    /// How long a closed lifeline may precede the daemon's death as this process sees it (its
    /// parent changing): a dying process closes its files before the kernel hands its children to
    /// a new parent, and a daemon of many threads takes a moment to end them all; 500 ms is far
    /// beyond that, and far below a trip interval.
    static let reparentWait: Duration = .milliseconds(500)

    /// Polls (1 ms apart, for at most `reparentWait`) until this process's parent is no longer
    /// `pid`; returns whether it came to that.
    static func waitUntilOrphaned(from pid: Int32) -> Bool {
        let deadline = Watchdog.monotonicNanoseconds() + UInt64(reparentWait.nanoseconds)
        while getppid() == pid {
            guard Watchdog.monotonicNanoseconds() < deadline else { return false }
            Watchdog.sleep(.milliseconds(1))
        }
        return true
    }

    /// The watchdog's standard input: a pipe whose other end only the daemon holds, so that it
    /// reads as closed the moment the daemon dies. A sleep on it ends then, and a daemon killed
    /// alone has its addresses and applications released at once rather than at its deadline.
    /// The pipe closes a moment before this process is orphaned (see `reparentWait`): a closed
    /// lifeline is remembered (`takeClosed`) so that the watchdog waits for that moment rather
    /// than for the trip deadline (seen: 1.4 s late, the daemon's parent not yet changed when
    /// the pipe woke the watchdog). Any other standard input (a terminal, /dev/null) is left alone
    /// after its first end of file.
    struct DaemonLifeline {
        let descriptor: Int32
        private var usable = true
        private var closed = false
        private let isPipe: Bool

        init(descriptor: Int32) {
            self.descriptor = descriptor
            var info = stat()
            isPipe = fstat(descriptor, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO
        }

        /// Whether the daemon's end of the pipe closed since the last call.
        mutating func takeClosed() -> Bool {
            defer { closed = false }
            return closed
        }

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
            closed = isPipe
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
            let own =
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0]
            process.executableURL = URL(fileURLWithPath: executable ?? own)
            var arguments = [
                "--watchdog-for", "\(getpid())", "--state-dir", directory,
                "--trip-ms", "\(trip.nanoseconds / 1_000_000)",
            ]
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

        /// Writes the plan the watchdog process releases, atomically (a new file renamed over the
        /// old one: the watchdog reads the old plan or the new one, never half of one).
        func publish(_ plan: EmergencyPlan) throws(DriverFailure) {
            let path = WatchdogProcess.planPath(directory)
            do {
                try Data(WatchdogProcess.encode(plan).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw DriverFailure("cannot write the emergency plan \(path): \(error.localizedDescription)")
            }
        }

        /// Whether the watchdog tripped since the last call (the marker is removed).
        func takeTripped() -> Bool {
            let path = WatchdogProcess.trippedPath(directory)
            guard access(path, F_OK) == 0 else { return false }
            try? FileManager.default.removeItem(atPath: path)
            return true
        }

        /// An orderly end: nothing left to release, and the watchdog stops. Throws when the empty
        /// plan could not be written; the watchdog is stopped all the same (else it would release
        /// the last plan when the daemon ends).
        func stop() throws(DriverFailure) {
            var failure: DriverFailure?
            do { try publish(EmergencyPlan()) } catch { failure = error }
            child.withLock { process in
                guard let process, process.isRunning else { return }
                process.terminate()
                process.waitUntilExit()
            }
            if let failure { throw failure }
        }
    }
}
