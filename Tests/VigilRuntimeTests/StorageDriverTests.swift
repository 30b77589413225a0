import Foundation
import Testing
import VigilModel
@testable import VigilRuntime

@Suite struct StorageDriverTests {
    static func config(mountPoint: String = "/srv/none") -> ClusterConfig {
        ClusterConfig(
            name: "test", id: 1, volumeGroups: [VolumeGroup(name: "sharedvg")],
            filesystems: [Filesystem(mountPoint: mountPoint, device: "tmpfs", type: "tmpfs", fsck: false)],
            nfsExports: [NFSExport(path: "/srv/export", clients: "*", options: "rw,sync")])
    }

    @Test func missingToolsAreNamed() async {
        let driver = StorageDriver(config: Self.config(), runner: FakeRunner(), lookup: CommandLookup(directories: []))
        #expect(await driver.activate(volumeGroup: "sharedvg") == .failure(DriverFailure("vgchange not found")))
        #expect(await driver.deactivate(volumeGroup: "sharedvg") == .failure(DriverFailure("vgchange not found")))
        #expect(await driver.export("/srv/export") == .failure(DriverFailure("exportfs not found")))
        #expect(await driver.unexport("/srv/export") == .failure(DriverFailure("exportfs not found")))
    }

    @Test func failingVolumeGroupCommandIsReported() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        // Tools that exist but fail, as on a host where the VG is not visible.
        try Self.script(directory, "lvs", "echo '  Volume group \"sharedvg\" not found' >&2; exit 5")
        try Self.script(directory, "vgchange", "echo '  Volume group \"sharedvg\" not found' >&2; exit 5")
        let driver = StorageDriver(config: Self.config(), lookup: CommandLookup(directories: [directory.path]))
        guard case .failure(let failure) = await driver.activate(volumeGroup: "sharedvg") else {
            Issue.record("activation claimed success"); return
        }
        #expect(failure.reason.contains("not found"))
        #expect(failure.reason.contains("exit 5"))
    }

    @Test func volumeGroupsThroughFakeLVM() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        // A stand-in for LVM: one logical volume whose attribute follows vgchange.
        let state = directory.file("active")
        try Self.script(directory, "lvs", "if [ -e \(state) ]; then echo '  -wi-a-----'; else echo '  -wi-------'; fi")
        try Self.script(directory, "vgchange", "echo \"$@\" >> \(directory.file("calls")); case \"$1\" in -ay) touch \(state);; -an) rm -f \(state);; esac")
        let driver = StorageDriver(config: Self.config(), lookup: CommandLookup(directories: [directory.path]))
        #expect(await driver.isActive(volumeGroup: "sharedvg") == .success(false))
        #expect(await driver.activate(volumeGroup: "sharedvg") == .success(()))
        #expect(await driver.isActive(volumeGroup: "sharedvg") == .success(true))
        #expect(await driver.activate(volumeGroup: "sharedvg") == .success(()))
        #expect(await driver.deactivate(volumeGroup: "sharedvg") == .success(()))
        #expect(directory.read("calls") == "-ay sharedvg\n-an sharedvg\n", "vgchange runs only when the state differs")
    }

    @Test func nfsExportsThroughFakeExportfs() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        // A stand-in for exportfs keeping its table in a file, printing it like `exportfs -v`.
        let table = directory.file("table")
        try Self.script(directory, "exportfs", """
            touch \(table)
            case "$1" in
            -v) while read c p o; do [ "$c" = '*' ] && c='<world>'; printf '%s\\t%s(%s)\\n' "$p" "$c" "$o"; done < \(table);;
            -o) echo "${3%%:*} ${3#*:} $2" >> \(table);;
            -u) grep -v " ${2#*:} " \(table) > \(table).new; mv \(table).new \(table);;
            esac
            """)
        let driver = StorageDriver(config: Self.config(), lookup: CommandLookup(directories: [directory.path]))
        let export = Self.config().nfsExports[0]
        #expect(await driver.isExported(export) == .success(false))
        #expect(await driver.export("/srv/export") == .success(()))
        #expect(await driver.isExported(export) == .success(true))
        #expect(await driver.export("/srv/export") == .success(()))
        #expect(directory.read("table") == "* /srv/export rw,sync\n", "exported once")
        #expect(await driver.unexport("/srv/export") == .success(()))
        #expect(await driver.isExported(export) == .success(false))
        guard case .failure = await driver.export("/not/configured") else { Issue.record("unknown export"); return }
    }

    @Test func parsesExportfsVerbose() {
        let list = ExportList.parse("/srv/a         \t<world>(sync,wdelay,rw)\n/a/very/long/path/to/an/export\n\t\t192.0.2.0/24(ro)\n")
        #expect(list.contains(NFSExport(path: "/srv/a", clients: "*")))
        #expect(list.contains(NFSExport(path: "/a/very/long/path/to/an/export", clients: "192.0.2.0/24")))
        #expect(!list.contains(NFSExport(path: "/srv/a", clients: "192.0.2.0/24")))
    }

    @Test func mountinfoEscapesAreDecoded() {
        #expect(StorageDriver.unescape("/mnt/with\\040space") == "/mnt/with space")
        #expect(StorageDriver.unescape("/plain") == "/plain")
    }

    @Test(.enabled(if: isRoot, "mounting needs root"))
    func mountAndForcedUnmountOfATmpfs() async throws {
        let directory = TemporaryDirectory()
        let mountPoint = directory.file("mnt")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
        defer {
            shell("mountpoint -q \(mountPoint) && umount -l \(mountPoint)")
            directory.remove()
        }
        let notes = NoteCollector()
        let driver = StorageDriver(config: Self.config(mountPoint: mountPoint), note: { notes.add($0) })
        #expect(!driver.isMounted(mountPoint))
        #expect(await driver.mount(mountPoint) == .success(()))
        #expect(driver.isMounted(mountPoint))
        #expect(await driver.mount(mountPoint) == .success(()), "mounting twice is fine")
        #expect(shell("mount | grep -c ' \(mountPoint) ' | grep -qx 1") == 0, "mounted once")

        // A user of the filesystem makes umount fail: the driver kills it with fuser -km.
        let user = await CommandRunner().launch(ShellCommand("cd \(mountPoint) && sleep 300 &", timeout: .seconds(10)), outputFile: nil)
        let group = ProcessGroup(try #require(user.processGroup))
        #expect(await eventually { !group.livingMembers.isEmpty })
        #expect(await driver.unmount(mountPoint) == .success(()))
        #expect(!driver.isMounted(mountPoint))
        #expect(notes.all.contains { $0.contains("fuser -km") })
        #expect(await group.waitUntilGone(within: .seconds(5)))
        #expect(await driver.unmount(mountPoint) == .success(()), "unmounting twice is fine")
    }

    /// An executable script. It is written by `cp` in a process of its own, so that this process
    /// never holds it open for writing: a child another test forks meanwhile would inherit that
    /// descriptor, and running the script would then fail with ETXTBSY ("Text file busy").
    static func script(_ directory: TemporaryDirectory, _ name: String, _ body: String) throws {
        let path = directory.file(name)
        try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: path + ".text"))
        #expect(shell("cp '\(path).text' '\(path)' && chmod 755 '\(path)'") == 0)
    }
}
