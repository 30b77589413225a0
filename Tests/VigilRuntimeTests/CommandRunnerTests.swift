import Foundation
import Testing
@testable import VigilRuntime

@Suite struct CommandRunnerTests {
    let runner = CommandRunner()

    @Test func exitStatusAndCombinedOutput() async {
        let result = await runner.run(ShellCommand("echo to-stdout; echo to-stderr >&2; exit 3", timeout: .seconds(30)))
        #expect(result.status == .exited(3))
        #expect(!result.succeeded)
        #expect(!result.timedOut)
        #expect(result.output.contains("to-stdout"))
        #expect(result.output.contains("to-stderr"))
        #expect(result.processGroup != nil)
    }

    @Test func successfulCommand() async {
        let result = await runner.run(ShellCommand("true", timeout: .seconds(30)))
        #expect(result.succeeded)
        #expect(result.output.isEmpty)
    }

    @Test func environmentIsAddedToTheDaemons() async {
        let result = await runner.run(ShellCommand(
            #"printf '%s|%s' "$VIGIL_TEST_VALUE" "${PATH:+has-path}""#,
            environment: ["VIGIL_TEST_VALUE": "a value with spaces"], timeout: .seconds(30)))
        #expect(result.output == "a value with spaces|has-path")
    }

    @Test func runsInItsOwnSession() async {
        // The shell is a session (and so process group) leader: its pgid and sid are its own pid.
        let result = await runner.run(ShellCommand("cut -d' ' -f5,6 /proc/$$/stat; echo $$", timeout: .seconds(30)))
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines.first == "\(lines.last ?? "") \(lines.last ?? "")")
        #expect(result.processGroup.map(String.init) == lines.last)
    }

    @Test func timeoutKillsTheWholeProcessGroup() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        // A grandchild that ignores SIGTERM (ignored dispositions survive exec): only SIGKILL to the
        // whole group ends it.
        let line = "trap '' TERM; sh -c 'sleep 300 & echo $! > \(directory.file("pid")); wait'"
        let result = await runner.run(ShellCommand(line, timeout: .milliseconds(500), killGrace: .milliseconds(300)))
        #expect(result.timedOut)
        #expect(!result.succeeded)
        let pid = try #require(Int32(directory.read("pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await eventually { isDead(pid) }, "grandchild sleep \(pid) survived the timeout")
        #expect(result.summary.contains("timed out"))
    }

    @Test func outputIsBounded() async {
        let result = await runner.run(ShellCommand("head -c 100000 /dev/zero | tr '\\0' x", timeout: .seconds(30), outputLimit: 1000))
        #expect(result.succeeded)
        #expect(result.output.utf8.count == 1000)
        #expect(result.outputTruncated)
    }

    @Test func launchDoesNotWaitForBackgroundChildren() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let line = "sleep 300 & echo $! > \(directory.file("pid")); echo started; echo oops >&2"
        let result = await runner.launch(ShellCommand(line, timeout: .seconds(60)), outputFile: directory.file("out"))
        #expect(result.succeeded)
        #expect(!result.timedOut)
        #expect(result.output.contains("started"))
        #expect(result.output.contains("oops"))
        let group = ProcessGroup(try #require(result.processGroup))
        let pid = try #require(Int32(directory.read("pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(group.livingMembers.contains(pid), "the background child runs on in the recorded group")
        #expect(await group.terminate(grace: .seconds(2)))
        #expect(isDead(pid))
    }

    @Test func launchTimeoutKillsTheGroup() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let line = "sleep 300 & echo $! > \(directory.file("pid")); sleep 300"
        let result = await runner.launch(ShellCommand(line, timeout: .milliseconds(400), killGrace: .milliseconds(200)), outputFile: nil)
        #expect(result.timedOut)
        let pid = try #require(Int32(directory.read("pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await eventually { isDead(pid) })
    }
}
