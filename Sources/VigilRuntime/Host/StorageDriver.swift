import Foundation
import VigilModel

/// Shared storage: LVM volume groups, filesystems and NFS exports, each idempotent and checked
/// against the host before and after.
///
/// - Volume groups: `vgchange -ay NAME` / `vgchange -an NAME`; active means every logical volume of
///   the group shows `a` in the fifth character of `lvs -o lv_attr`. Concurrent volume groups are
///   activated the same way on every node of a concurrent group: no `--shared` (lvmlockd) locking is
///   done, so the applications on them must coordinate themselves, as on the seed's concurrent VGs.
/// - Filesystems: `fsck -p DEVICE` when configured (exit 0 or 1 — errors corrected — is accepted),
///   then `mount -t TYPE DEVICE MOUNTPOINT`; mounted means a line of `/proc/self/mountinfo` has the
///   mount point. Unmounting tries `umount`, then `fuser -km` (SIGKILL to the users) and `umount`
///   again, then `umount -l` as the last resort.
/// - NFS: `exportfs -o OPTIONS CLIENTS:PATH` / `exportfs -u CLIENTS:PATH`; present means
///   `exportfs -v` lists the path for the clients.
///
/// A tool missing on the host fails the action with "NAME not found".
public struct StorageDriver: Sendable {
    public internal(set) var config: ClusterConfig
    public let runner: any CommandRunning
    public let lookup: CommandLookup
    /// The timeout of each storage command (`fsck` of a large filesystem may need a long one).
    public let timeout: Duration
    /// Where mounts are read from.
    public let mountInfoPath: String
    public let note: @Sendable (String) -> Void

    public init(
        config: ClusterConfig, runner: any CommandRunning = CommandRunner(), lookup: CommandLookup = CommandLookup(),
        timeout: Duration = .seconds(300), mountInfoPath: String = "/proc/self/mountinfo",
        note: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.config = config
        self.runner = runner
        self.lookup = lookup
        self.timeout = timeout
        self.mountInfoPath = mountInfoPath
        self.note = note
    }

    // MARK: Volume groups

    public func activate(volumeGroup name: String) async -> Result<Void, DriverFailure> {
        await setVolumeGroup(name, active: true)
    }

    public func deactivate(volumeGroup name: String) async -> Result<Void, DriverFailure> {
        await setVolumeGroup(name, active: false)
    }

    private func setVolumeGroup(_ name: String, active: Bool) async -> Result<Void, DriverFailure> {
        if case .failure(let failure) = lookup.require("vgchange") { return .failure(failure) }
        if case .success(active) = await isActive(volumeGroup: name) { return .success(()) }
        let flag = active ? "-ay" : "-an"
        if case .failure(let failure) = await tool("vgchange", "\(flag) \(shellQuote(name))") {
            return .failure(failure)
        }
        switch await isActive(volumeGroup: name) {
        case .success(active): return .success(())
        case .success:
            return .failure(
                DriverFailure("volume group \(name) still \(active ? "inactive" : "active") after vgchange \(flag)"))
        case .failure(let failure): return .failure(failure)
        }
    }

    /// Whether every logical volume of the group is active (a group without volumes counts as
    /// inactive: nothing of it is usable).
    public func isActive(volumeGroup name: String) async -> Result<Bool, DriverFailure> {
        await tool("lvs", "--noheadings -o lv_attr \(shellQuote(name))").map { output in
            let attributes = output.split(whereSeparator: \.isWhitespace).map(Array.init)
            return !attributes.isEmpty && attributes.allSatisfy { $0.count > 4 && $0[4] == "a" }
        }
    }

    // MARK: Filesystems

    public func mount(_ mountPoint: String) async -> Result<Void, DriverFailure> {
        guard let filesystem = config.filesystem(at: mountPoint) else {
            return .failure(DriverFailure("no filesystem at \(mountPoint) in the configuration"))
        }
        if isMounted(mountPoint) { return .success(()) }
        if filesystem.fsck {
            let result = await tool("fsck", "-p \(shellQuote(filesystem.device))", acceptedExits: [0, 1])
            if case .failure(let failure) = result { return .failure(failure) }
        }
        let arguments = "-t \(shellQuote(filesystem.type)) \(shellQuote(filesystem.device)) \(shellQuote(mountPoint))"
        if case .failure(let failure) = await tool("mount", arguments) { return .failure(failure) }
        return isMounted(mountPoint) ? .success(()) : .failure(DriverFailure("\(mountPoint) not mounted after mount"))
    }

    public func unmount(_ mountPoint: String) async -> Result<Void, DriverFailure> {
        guard isMounted(mountPoint) else { return .success(()) }
        var reasons: [String] = []
        if case .failure(let failure) = await tool("umount", shellQuote(mountPoint)) { reasons.append(failure.reason) }
        if !isMounted(mountPoint) { return .success(()) }
        note("umount \(mountPoint) failed: killing its users with fuser -km")
        if case .failure(let failure) = await tool("fuser", "-km \(shellQuote(mountPoint))", acceptedExits: [0, 1]) {
            reasons.append(failure.reason)
        }
        if case .failure(let failure) = await tool("umount", shellQuote(mountPoint)) { reasons.append(failure.reason) }
        if !isMounted(mountPoint) { return .success(()) }
        note("umount \(mountPoint) still failing: detaching it lazily with umount -l")
        if case .failure(let failure) = await tool("umount", "-l \(shellQuote(mountPoint))") {
            reasons.append(failure.reason)
        }
        if !isMounted(mountPoint) { return .success(()) }
        return .failure(DriverFailure("\(mountPoint) still mounted: " + reasons.joined(separator: "; ")))
    }

    /// Whether `/proc/self/mountinfo` lists `mountPoint` (field 5, with its octal escapes decoded).
    public func isMounted(_ mountPoint: String) -> Bool {
        guard let text = try? String(contentsOfFile: mountInfoPath, encoding: .utf8) else { return false }
        let wanted = mountPoint.count > 1 && mountPoint.hasSuffix("/") ? String(mountPoint.dropLast()) : mountPoint
        return text.split(whereSeparator: \.isNewline).contains { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            return fields.count > 4 && Self.unescape(fields[4]) == wanted
        }
    }

    /// Decodes mountinfo's `\040`-style octal escapes.
    static func unescape(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), utf8.count >= 3,
                let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: NFS exports

    public func export(_ path: String) async -> Result<Void, DriverFailure> {
        guard let export = config.nfsExports.first(where: { $0.path == path }) else {
            return .failure(DriverFailure("no NFS export of \(path) in the configuration"))
        }
        if case .success(true) = await isExported(export) { return .success(()) }
        let target = shellQuote("\(export.clients):\(export.path)")
        if case .failure(let failure) = await tool("exportfs", "-o \(shellQuote(export.options)) \(target)") {
            return .failure(failure)
        }
        return await isExported(export).flatMap {
            $0 ? .success(()) : .failure(DriverFailure("\(path) not listed by exportfs -v after exporting it"))
        }
    }

    public func unexport(_ path: String) async -> Result<Void, DriverFailure> {
        guard let export = config.nfsExports.first(where: { $0.path == path }) else {
            return .failure(DriverFailure("no NFS export of \(path) in the configuration"))
        }
        if case .success(false) = await isExported(export) { return .success(()) }
        if case .failure(let failure) = await tool("exportfs", "-u \(shellQuote("\(export.clients):\(export.path)"))") {
            return .failure(failure)
        }
        return await isExported(export).flatMap {
            $0 ? .failure(DriverFailure("\(path) still listed by exportfs -v")) : .success(())
        }
    }

    /// Whether `exportfs -v` lists the export's path for its clients.
    public func isExported(_ export: NFSExport) async -> Result<Bool, DriverFailure> {
        await tool("exportfs", "-v").map { ExportList.parse($0).contains(export) }
    }

    // MARK: Running tools

    /// Runs the host tool `name` with `arguments`; exit statuses outside `acceptedExits` fail.
    private func tool(_ name: String, _ arguments: String, acceptedExits: Set<Int32> = [0]) async -> Result<
        String, DriverFailure
    > {
        let path: String
        switch lookup.require(name) {
        case .success(let found): path = found
        case .failure(let failure): return .failure(failure)
        }
        let line = "\(shellQuote(path)) \(arguments)"
        let result = await runner.run(ShellCommand(line, timeout: timeout))
        guard !result.timedOut, case .exited(let code) = result.status, acceptedExits.contains(code) else {
            return .failure(DriverFailure("\(name) \(arguments): \(result.summary)"))
        }
        return .success(result.output)
    }
}

/// The exports `exportfs -v` lists: `PATH<tab>CLIENT(OPTIONS)`, with the client on the next line
/// when the path is long; the client `*` is shown as `<world>`.
struct ExportList: Sendable, Hashable {
    var entries: Set<Entry>

    struct Entry: Sendable, Hashable {
        var path: String
        var client: String
    }

    static func parse(_ output: String) -> ExportList {
        var entries: Set<Entry> = []
        var path: String?
        for word in output.split(whereSeparator: \.isWhitespace).map(String.init) {
            if word.hasPrefix("/") {
                path = word
            } else if let current = path {
                let client = word.split(separator: "(", maxSplits: 1).first.map(String.init) ?? word
                entries.insert(Entry(path: current, client: client == "<world>" ? "*" : client))
                path = nil
            }
        }
        return ExportList(entries: entries)
    }

    func contains(_ export: NFSExport) -> Bool { entries.contains(Entry(path: export.path, client: export.clients)) }
}
