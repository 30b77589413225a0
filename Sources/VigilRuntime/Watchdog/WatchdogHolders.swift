import Foundation

/// A process that holds a watchdog device open.
public struct WatchdogHolder: Sendable, Equatable, CustomStringConvertible {
    public var pid: Int32
    /// Its command name (`/proc/PID/comm`): `sbd`, `watchdog`, `systemd`, `vigild`.
    public var command: String

    public init(pid: Int32, command: String) {
        self.pid = pid
        self.command = command
    }

    public var description: String { "\(command) (pid \(pid))" }
}

/// Finds who holds a watchdog device: the processes with a descriptor on it in `/proc/PID/fd`.
/// The kernel lets one process open `/dev/watchdog`, so an open that fails with EBUSY (or `vigil
/// watchdog query`) can name the one that did. The root is a parameter so that tests use a tree
/// of their own.
public enum WatchdogHolders {
    /// The processes whose open descriptors point at `device`, or at the `/dev/watchdogN` it links
    /// to; empty when nothing could be read. Reads at most `processLimit` processes.
    public static func find(_ device: String, procRoot: String = "/proc") -> [WatchdogHolder] {
        let files = FileManager.default
        let targets = Set([device, (try? files.destinationOfSymbolicLink(atPath: device)) ?? device].map(resolved))
        guard let entries = try? files.contentsOfDirectory(atPath: procRoot) else { return [] }
        var found: [WatchdogHolder] = []
        for entry in entries.prefix(processLimit) {
            guard let pid = Int32(entry) else { continue }
            let fdDirectory = "\(procRoot)/\(entry)/fd"
            guard let descriptors = try? files.contentsOfDirectory(atPath: fdDirectory) else { continue }
            let holds = descriptors.prefix(descriptorLimit).contains { descriptor in
                guard let target = try? files.destinationOfSymbolicLink(atPath: "\(fdDirectory)/\(descriptor)") else {
                    return false
                }
                return targets.contains(resolved(target))
            }
            guard holds else { continue }
            let comm = (try? String(contentsOfFile: "\(procRoot)/\(entry)/comm", encoding: .utf8)) ?? "?"
            found.append(WatchdogHolder(pid: pid, command: comm.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        return found.sorted { $0.pid < $1.pid }
    }

    /// The most processes looked at: far more than a cluster node runs, and a bound on the scan.
    static let processLimit = 100_000
    /// The most descriptors looked at per process.
    static let descriptorLimit = 65_536

    /// `/dev/watchdog` as written, or what a relative link (`watchdog0`) beside it names.
    private static func resolved(_ path: String) -> String {
        path.hasPrefix("/") ? path : "/dev/\(path)"
    }
}
