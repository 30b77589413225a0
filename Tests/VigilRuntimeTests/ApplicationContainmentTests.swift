#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import Testing
import VigilModel
@testable import VigilRuntime

/// Application containment: the cgroup root's name, the choice of mode, entering a cgroup before
/// the first instruction, admission, and killing, waiting for and removing a cgroup. The tests
/// that write cgroups need root and a cgroup2 mount and say so (`.enabled(if:)`); each removes
/// every cgroup directory it made (the shared parent `MOUNT/vigil` stays, as the daemon leaves it).
@Suite struct ApplicationContainmentTests {
    @Test func namesAreReadableAndInjective() {
        #expect(ApplicationContainment.escape("/var/lib/vigil") == "+var+lib+vigil")
        #expect(ApplicationContainment.escape("/tmp/vigil-test.1/n1") == "+tmp+vigil-test.1+n1")
        #expect(ApplicationContainment.escape("a+b") == "a%2Bb")
        #expect(ApplicationContainment.escape("a/b") != ApplicationContainment.escape("a+b"))
        #expect(ApplicationContainment.escape(".hidden") == "%2Ehidden")
        #expect(ApplicationContainment.escape("..") == "%2E.")
        #expect(ApplicationContainment.escape("") == "%")
        #expect(ApplicationContainment.escape("web server") == "web%20server")
        #expect(ApplicationContainment.escape("~") == "%7E")
        let long = "/srv/" + String(repeating: "x", count: 400)
        let cut = ApplicationContainment.escape(long + "/a")
        #expect(cut.utf8.count <= ApplicationContainment.maximumNameBytes)
        #expect(cut.contains("~"))
        #expect(cut != ApplicationContainment.escape(long + "/b"), "paths differing past the cut still differ")
    }

    @Test func eachStateDirectoryHasARootOfItsOwn() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.file("n1"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory.file("n2"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory.file("link"),
                                                   withDestinationPath: directory.file("n1"))
        let n1 = ApplicationContainment.rootPath(mount: "/sys/fs/cgroup", stateDirectory: directory.file("n1"))
        #expect(n1 == "/sys/fs/cgroup/vigil/" + ApplicationContainment.escape(directory.file("n1")))
        #expect(n1 != ApplicationContainment.rootPath(mount: "/sys/fs/cgroup", stateDirectory: directory.file("n2")))
        #expect(n1 == ApplicationContainment.rootPath(mount: "/sys/fs/cgroup/", stateDirectory: directory.file("link")),
                "one directory through a symbolic link is still one root")
        #expect(n1 == ApplicationContainment.rootPath(mount: "/sys/fs/cgroup",
                                                      stateDirectory: directory.file("n2/../n1")))
    }

    @Test func theCgroup2MountIsFoundInMountinfo() {
        let hybrid = """
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """
        #expect(ApplicationContainment.cgroup2Mount(in: hybrid) == "/sys/fs/cgroup/unified")
        let escaped = "29 1 0:26 / /mnt/cg\\040two rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate"
        #expect(ApplicationContainment.cgroup2Mount(in: escaped) == "/mnt/cg two")
        let v1Only = "32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu"
        #expect(ApplicationContainment.cgroup2Mount(in: v1Only) == nil)
    }

    @Test func theFallbackSaysWhy() {
        let forced = ApplicationContainment.choose(.processGroups, stateDirectory: "/tmp", mountInfo: nil)
        #expect(forced.description
            == "cgroups are not used (--containment process-group): applications are tracked by process group")
        let none = ApplicationContainment.choose(.automatic, stateDirectory: "/tmp", mountInfo: "")
        #expect(none.description.hasPrefix("cgroups cannot be written here (no cgroup2 file system is mounted)"))
        #expect(none.root == nil && none.cgroup(of: "app") == nil)
        let unwritable = ApplicationContainment.choose(
            .automatic, stateDirectory: "/tmp", mountInfo: "1 1 0:1 / /proc/sys rw - cgroup2 cgroup2 rw")
        #expect(unwritable.description.hasPrefix("cgroups cannot be written here (cannot create /proc/sys/vigil"),
                "\(unwritable)")
    }

    /// A cgroup root for a test's own state directory, made the way the daemon makes it.
    static func containment(_ directory: TemporaryDirectory) throws -> (ApplicationContainment, CgroupDirectory) {
        let containment = ApplicationContainment.choose(.automatic, stateDirectory: directory.path)
        let root = try #require(containment.root, "\(containment)")
        return (containment, root)
    }

    @Test(.enabled(if: canWriteCgroups)) func theRootIsMadeAndProbed() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (containment, root) = try Self.containment(directory)
        defer { removeCgroupTree(root) }
        #expect(root.path == ApplicationContainment.rootPath(mount: cgroupMount!, stateDirectory: directory.path))
        #expect(root.exists && root.populated == false, "the probe has left")
        #expect(containment.description.hasPrefix("applications are contained in cgroup \(root.path)"))
        #expect(containment.cgroup(of: "my app")?.path == root.path + "/my%20app")
        #expect(!FileManager.default.fileExists(atPath: directory.file("containment-probe.err")))
    }

    @Test(.enabled(if: canWriteCgroups)) func aLaunchedCommandIsInItsCgroupFromItsFirstInstruction() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (_, root) = try Self.containment(directory)
        defer { removeCgroupTree(root) }
        let cgroup = root.child("app")
        try cgroup.create()
        let line = "cat /proc/$$/cgroup > \(directory.file("first")); sleep 300 &"
        let command = ShellCommand(line, timeout: .seconds(30), cgroup: cgroup.path)
        let result = await CommandRunner().launch(command, outputFile: nil)
        #expect(result.succeeded, "\(result)")
        let relative = String(cgroup.path.dropFirst(cgroupMount!.count))
        #expect(directory.read("first").contains("0::\(relative)\n"), "the shell was in \(directory.read("first"))")
        #expect(cgroup.populated == true && cgroup.processes.count == 1, "the background sleep runs there")
        #expect(root.populated == true)
        #expect(cgroup.kill() == "kill \(cgroup): cgroup.kill written")
        #expect(cgroup.waitUntilEmpty(within: .seconds(5)))
        #expect(cgroup.remove() == nil)
        #expect(!cgroup.exists)
    }

    @Test(.enabled(if: canWriteCgroups)) func aCommandThatCannotEnterItsCgroupNeverRuns() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (_, root) = try Self.containment(directory)
        defer { removeCgroupTree(root) }
        // Removed before the command could enter it, as the watchdog removes the directories.
        let gone = root.child("removed")
        let command = ShellCommand("touch \(directory.file("ran"))", timeout: .seconds(30), cgroup: gone.path)
        let result = await CommandRunner().launch(command, outputFile: directory.file("out"))
        #expect(result.status == .exited(125))
        #expect(result.output.contains("vigil: not started: cannot enter cgroup \(gone.path)"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("ran")))
    }

    @Test func aCommandWaitsForItsAdmission() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let seen = Mutex<Int32?>(nil)
        let refused = await CommandRunner().launch(
            ShellCommand("touch \(directory.file("refused"))", timeout: .seconds(30)),
            outputFile: directory.file("out"),
            admit: { _ in false })
        #expect(refused.status == .exited(125))
        #expect(refused.output.contains("vigil: not started: the daemon did not admit it"))
        #expect(!FileManager.default.fileExists(atPath: directory.file("refused")))

        let admitted = await CommandRunner().launch(
            ShellCommand("echo $$ > \(directory.file("admitted"))", timeout: .seconds(30)), outputFile: nil,
            admit: { pid in
                // Nothing of the line has run yet when the caller is asked.
                let early = FileManager.default.fileExists(atPath: directory.file("admitted"))
                seen.withLock { $0 = early ? -1 : pid }
                return true
            })
        #expect(admitted.succeeded, "\(admitted)")
        let pid = try #require(seen.withLock { $0 })
        #expect(pid == admitted.processGroup, "admitted with the shell's pid, the group's id")
        #expect(directory.read("admitted") == "\(pid)\n", "the line runs in the admitted shell itself (exec)")
    }

    @Test(.enabled(if: canWriteCgroups)) func killingBySignalFreezesAndThawsTheTree() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (_, root) = try Self.containment(directory)
        defer { removeCgroupTree(root) }
        let cgroup = root.child("forker")
        try cgroup.create()
        // A tree that forks all the time, in a nested cgroup of its own too.
        let forking = "while :; do sleep 1 & sleep 0.005; done"
        let line = "mkdir \(cgroup.path)/inner; (echo 0 > \(cgroup.path)/inner/cgroup.procs; \(forking)) & \(forking) &"
        let command = ShellCommand(line, timeout: .seconds(30), cgroup: cgroup.path)
        let result = await CommandRunner().launch(command, outputFile: nil)
        #expect(result.succeeded)
        #expect(await eventually { cgroup.child("inner").populated == true })
        let report = root.kill(.signals)
        #expect(report.hasPrefix("kill \(root) by signal (no cgroup.kill):"), "\(report)")
        #expect(report.contains("frozen, then thawed"), "\(report)")
        #expect(root.waitUntilEmpty(within: .seconds(5)), "\(report)")
        #expect(CgroupDirectory.read(root.path + "/cgroup.events")?.contains("frozen 0") == true)
        #expect(root.removeDescendants().isEmpty)
        #expect(!cgroup.exists)
    }
}
