import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a node's applications run, so that the dead man switch can stop every one of them at any
/// instant, even one that forks, daemonizes or is being started the moment the daemon dies.
///
/// - `cgroup`: every application runs in a cgroup v2 directory of its own, `ROOT/NAME`, below a
///   root unique to the daemon's state directory (`MOUNT/vigil/+var+lib+vigil`: two daemons on one
///   machine never share one). The emergency plan names the root from the daemon's start, before
///   any application can start, and the watchdog kills the root's whole subtree (`cgroup.kill`).
///   A start command moves itself into its directory before any of its own code runs.
/// - `processGroups`: the fallback where cgroups cannot be written (no cgroup2 mount, not root,
///   a read-only mount): every start runs in a session of its own and the watchdog kills its
///   process group, recorded in the plan before the command may run (see `ApplicationDriver`).
///   A process that leaves its process group (`setsid`, a daemon's double fork) escapes it.
public enum ApplicationContainment: Sendable, Hashable, CustomStringConvertible {
    /// Each application in a directory below `root`, the node's own.
    case cgroup(root: CgroupDirectory)
    /// Why cgroups are not used, as a sentence for the log.
    case processGroups(reason: String)

    /// What the administrator asked for (`vigild --containment`, hidden: for tests of both modes).
    public enum Choice: String, Sendable, CaseIterable {
        /// cgroups where they can be written, process groups elsewhere.
        case automatic = "auto"
        /// Process groups even where cgroups could be used.
        case processGroups = "process-group"
    }

    /// The longest escaped name kept whole: cgroup names are file names (255 bytes at most).
    static let maximumNameBytes = 200

    /// The containment for a daemon keeping its state in `stateDirectory`: the cgroup root when a
    /// cgroup2 file system is mounted (found in `mountInfo`, `/proc/self/mountinfo`'s text), the
    /// root can be created, and a process can move itself into it (tried with `/bin/sh`, as every
    /// start command does); process groups otherwise, with the reason.
    public static func choose(_ choice: Choice, stateDirectory: String) -> ApplicationContainment {
        choose(choice, stateDirectory: stateDirectory, mountInfo: CgroupDirectory.read("/proc/self/mountinfo"))
    }

    static func choose(_ choice: Choice, stateDirectory: String, mountInfo: String?) -> ApplicationContainment {
        if choice == .processGroups {
            return .processGroups(reason: "cgroups are not used (--containment process-group)")
        }
        func unwritable(_ why: String) -> ApplicationContainment {
            .processGroups(reason: "cgroups cannot be written here (\(why))")
        }
        guard let mountInfo, let mount = cgroup2Mount(in: mountInfo) else {
            return unwritable("no cgroup2 file system is mounted")
        }
        let root = CgroupDirectory(rootPath(mount: mount, stateDirectory: stateDirectory))
        do { try root.create() } catch { return unwritable(error.reason) }
        if let failure = probe(root, stateDirectory: stateDirectory) {
            return unwritable("a process cannot enter \(root): \(failure)")
        }
        return .cgroup(root: root)
    }

    /// The application root of a daemon whose state is in `stateDirectory`, below `mount`: the
    /// directory's real path (symbolic links resolved when it exists), escaped into one name.
    public static func rootPath(mount: String, stateDirectory: String) -> String {
        let absolute = URL(fileURLWithPath: stateDirectory).standardizedFileURL.path
        let real = realpath(absolute, nil).map { pointer in
            defer { free(pointer) }
            return String(cString: pointer)
        }
        let base = mount.hasSuffix("/") ? String(mount.dropLast()) : mount
        return base + "/vigil/" + escape(real ?? absolute)
    }

    /// `text` as one cgroup name, injectively (two texts never give one name): ASCII letters,
    /// digits, `_`, `-` and a `.` that is not first stay; `/` becomes `+`; every other byte is
    /// `%XX`. Past `maximumNameBytes` the name is cut and ends with `~` and a hash of the whole
    /// text (`~` is escaped everywhere else, so a cut name never equals a whole one).
    public static func escape(_ text: String) -> String {
        var name = ""
        for (index, byte) in text.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                name.append(Character(UnicodeScalar(byte)))
            case UInt8(ascii: ".") where index > 0: name.append(".")
            case UInt8(ascii: "/"): name.append("+")
            default: name += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        if name.isEmpty { return "%" }
        guard name.utf8.count > maximumNameBytes else { return name }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(name.prefix(maximumNameBytes - 17)) + "~" + String(hash, radix: 16).leftPadded(to: 16)
    }

    /// The mount point of the first cgroup2 file system in `/proc/self/mountinfo`'s text (fields:
    /// id, parent, device, root, mount point, options, optional fields, `-`, type, source, ...).
    static func cgroup2Mount(in mountInfo: String) -> String? {
        for line in mountInfo.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard let dash = fields.firstIndex(of: "-"), dash >= 6, dash + 1 < fields.count,
                fields[dash + 1] == "cgroup2"
            else { continue }
            return unescapeMountField(String(fields[4]))
        }
        return nil
    }

    /// Undoes the kernel's octal escapes in a mountinfo field (`\040` for a space).
    static func unescapeMountField(_ field: String) -> String {
        var bytes: [UInt8] = []
        var rest = Array(field.utf8)[...]
        while let first = rest.first {
            if first == UInt8(ascii: "\\"), rest.count >= 4,
                let value = UInt8(String(decoding: rest.dropFirst().prefix(3), as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                rest = rest.dropFirst(4)
            } else {
                bytes.append(first)
                rest = rest.dropFirst()
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Moves a short-lived `/bin/sh` into `root` exactly as a start command enters its cgroup;
    /// returns why that failed (the shell's own message), or `nil`.
    static func probe(_ root: CgroupDirectory, stateDirectory: String) -> String? {
        let errors = stateDirectory + "/containment-probe.err"
        let result = EmergencyRelease.spawnAndWait(
            ["/bin/sh", "-c", "exec 2>\"$2\"; echo 0 > \"$1/cgroup.procs\"", "vigil-probe", root.path, errors],
            timeout: .seconds(5))
        // The shell's message, for the reason only: a probe that failed has failed either way.
        let said = (try? String(contentsOfFile: errors, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        unlink(errors)
        guard result != "exit 0" else { return nil }
        return said.flatMap { $0.isEmpty ? nil : "\(result): \($0)" } ?? result
    }

    /// The root, in cgroup mode.
    public var root: CgroupDirectory? {
        guard case .cgroup(let root) = self else { return nil }
        return root
    }

    /// The cgroup of application `name`, in cgroup mode.
    public func cgroup(of application: String) -> CgroupDirectory? {
        root?.child(Self.escape(application))
    }

    /// The line the daemon logs at its start.
    public var description: String {
        switch self {
        case .cgroup(let root):
            let how =
                root.hasKillFile
                ? "cgroup.kill" : "signals to its frozen processes (this kernel has no cgroup.kill)"
            return "applications are contained in \(root): the dead man switch kills it with \(how)"
        case .processGroups(let reason):
            return "\(reason): applications are tracked by process group"
        }
    }
}

extension String {
    /// Padded with leading zeros to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
