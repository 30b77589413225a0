#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import VigilCore
@testable import VigilRuntime

/// The cluster-wide commands between real `vigild` processes on loopback: `stop --all` and
/// `start --all` from one node act on every node and say who answered, and name a node that could
/// not be reached; `vigil sync` stores a verified configuration with a version on every node,
/// refuses one with errors, and a node that was down gets the newest when it comes back (and runs
/// it after a restart).
@Suite(.serialized, .timeLimit(.minutes(4))) struct ClusterCommandProcessTests {
    typealias Cluster = DaemonProcessTests.Cluster

    static func done(_ response: AdminResponse) -> String? {
        if case .ok(.done(let message)) = response { return message }
        return nil
    }

    static func running(_ cluster: Cluster, _ node: String) async -> Bool {
        await cluster.status(from: node)?.state == .up
    }

    @Test func stopAllAndStartAllActOnEveryNodeFromOne() async throws {
        let binary = try #require(DaemonProcessTests.vigild, "vigild is not built: run swift build first")
        var cluster = Cluster()
        defer { cluster.cleanUp() }
        for node in cluster.nodes { try cluster.start(node, binary: binary) }
        let placed = await eventually(within: .seconds(30)) { await cluster.holders(from: "n2") == ["n1"] && cluster.applicationPID(on: "n1") != nil }
        try #require(placed, "svc never came online on n1\n\(cluster.logs())")

        let stopped = try await AdminClient(socketPath: cluster.socket("n2")).send(.stop(mode: .graceful, all: true))
        let stopAnswer = try #require(Self.done(stopped), "stop --all: \(stopped)")
        for node in cluster.nodes { #expect(stopAnswer.contains("stopping cluster services on \(node)"), "\(stopAnswer)") }
        #expect(!stopAnswer.contains("not reached"))
        let allDown = await eventually(within: .seconds(30)) {
            var down = true
            for node in cluster.nodes where await Self.running(cluster, node) { down = false }
            return down && cluster.applicationPID(on: "n1") == nil
        }
        #expect(allDown, "cluster services still run somewhere\n\(cluster.logs())")
        #expect(cluster.nodes.allSatisfy { !isDead(cluster.pids[$0]!) }, "a daemon ended")

        let started = try await AdminClient(socketPath: cluster.socket("n3")).send(.start(all: true))
        let startAnswer = try #require(Self.done(started), "start --all: \(started)")
        for node in cluster.nodes { #expect(startAnswer.contains("starting cluster services on \(node)"), "\(startAnswer)") }
        let back = await eventually(within: .seconds(40)) { await cluster.holders(from: "n3") == ["n1"] && cluster.applicationPID(on: "n1") != nil }
        #expect(back, "svc did not come back on n1 after start --all\n\(cluster.logs())")

        // A node that cannot be reached is named; the others are stopped all the same.
        kill(cluster.pids["n3"]!, SIGKILL)
        let partial = try await AdminClient(socketPath: cluster.socket("n1")).send(.stop(mode: .forced, all: true))
        let partialAnswer = try #require(Self.done(partial), "stop --all: \(partial)")
        #expect(partialAnswer.contains("not reached: n3"), "\(partialAnswer)")
        #expect(partialAnswer.contains("stopping cluster services on n2 (forced)"), "\(partialAnswer)")
    }

    @Test func syncStoresAVerifiedConfigurationOnEveryNodeAndALateNodeGetsIt() async throws {
        let binary = try #require(DaemonProcessTests.vigild, "vigild is not built: run swift build first")
        var cluster = Cluster()
        defer { cluster.cleanUp() }
        try await cluster.startAll(binary: binary)
        let file = cluster.dir.file("trio.yaml")
        let original = cluster.dir.read("trio.yaml")

        // A file with errors is refused, and nothing is stored anywhere.
        try (original + "\nnot_a_key: 1\n").write(toFile: file, atomically: true, encoding: .utf8)
        let refused = try await AdminClient(socketPath: cluster.socket("n1")).send(.sync(text: nil, file: nil, expectVersion: nil))
        guard case .refused(let reason) = refused else { Issue.record("expected a refusal, got \(refused)"); return }
        #expect(reason.contains("not_a_key") && reason.contains("nothing was sent"), "\(reason)")
        #expect(cluster.nodes.allSatisfy { !FileManager.default.fileExists(atPath: cluster.dir.file("\($0)/cluster.yaml")) })

        let first = original + "\n# version one\n"
        try first.write(toFile: file, atomically: true, encoding: .utf8)
        let synced = try await AdminClient(socketPath: cluster.socket("n1")).send(.sync(text: nil, file: nil, expectVersion: nil))
        let answer = try #require(Self.done(synced), "sync: \(synced)")
        #expect(answer.contains("configuration version 1 stored on n1, n2, n3"), "\(answer)")
        // Run live: every member runs version 1 from one agreed event, and no daemon restarted.
        #expect(answer.contains("configuration version 1 runs on every member: reconfig 1 completed"), "\(answer)")
        let pids = cluster.pids
        for node in cluster.nodes {
            let stored = ConfigStore(stateDirectory: cluster.dir.file(node)).read()
            #expect(stored?.version == 1 && stored?.text == first, "\(node) stored \(String(describing: stored))")
            let status = await cluster.status(from: node)
            #expect(status?.configVersion == 1 && status?.storedConfigVersion == nil, "\(node): \(String(describing: status))")
            #expect(!isDead(pids[node]!))
            let log = cluster.dir.read("\(node)/cluster.log")
            #expect(log.contains("EVENT START: reconfig 1") && log.contains("EVENT COMPLETED: reconfig 1"), "\(node): \(log)")
        }

        // n3 is down while version 2 is pushed; it gets it when it comes back.
        kill(cluster.pids["n3"]!, SIGTERM)
        #expect(await eventually(within: .seconds(30)) { isDead(cluster.pids["n3"]!) })
        let second = original + "\n# version two\n"
        try second.write(toFile: file, atomically: true, encoding: .utf8)
        let late = try #require(Self.done(try await AdminClient(socketPath: cluster.socket("n2")).send(.sync(text: nil, file: nil, expectVersion: nil))))
        #expect(late.contains("configuration version 2 stored on n2, n1") && late.contains("not reached yet: n3"), "\(late)")
        try cluster.start("n3", binary: binary)
        let caughtUp = await eventually(within: .seconds(30)) {
            ConfigStore(stateDirectory: cluster.dir.file("n3")).read()?.version == 2
        }
        #expect(caughtUp, "n3 did not get version 2\n\(cluster.logs())")
        // It started on version 1 (the newest it stored), while n1 and n2 ran version 2 (the view
        // without n3 stored it everywhere): it runs version 2 once it has it, without a restart,
        // and only then comes up.
        #expect(await cluster.status(from: "n1")?.configVersion == 2)
        let following = await eventually(within: .seconds(30)) {
            let status = await cluster.status(from: "n3")
            return status?.configVersion == 2 && status?.storedConfigVersion == nil
        }
        #expect(following, "n3 does not run version 2\n\(cluster.logs())")
        #expect(cluster.dir.read("n3/cluster.log").contains("n3 runs configuration version 2 (was 1)"))
    }

    /// Nodes added and removed live: a sync that adds n4 runs on n1..n3 without a restart, and n4,
    /// started from the new file, joins and comes up; a sync that removes it again makes n4 stop
    /// its cluster services by itself while the others run on. No vigild restarts.
    @Test func aNodeIsAddedAndRemovedLive() async throws {
        let binary = try #require(DaemonProcessTests.vigild, "vigild is not built: run swift build first")
        var cluster = Cluster()
        defer {
            if let pid = cluster.pids["n4"], !isDead(pid) { kill(pid, SIGKILL) }
            cluster.cleanUp()
        }
        try await cluster.startAll(binary: binary)
        let original = cluster.dir.read("trio.yaml")
        let n4 = """
              - name: n4
                interfaces:
                  - {name: lo, label: n4_lan, role: boot, address: 127.\(cluster.subnet).0.4, network: lan}
                  - {name: dhb, label: n4_dhb, network: dhb, device: \(cluster.dir.path)/dhb}
            service_addresses:
            """
        let quad = original.replacingOccurrences(of: "\nservice_addresses:", with: "\n" + n4)
            .replacingOccurrences(of: "nodes: [n1, n2, n3]", with: "nodes: [n1, n2, n3, n4]")
        try #require(quad.contains("n4_lan") && quad.contains("nodes: [n1, n2, n3, n4]"))
        try quad.write(toFile: cluster.dir.file("quad.yaml"), atomically: true, encoding: .utf8)
        let pids = cluster.pids

        let added = try await AdminClient(socketPath: cluster.socket("n1")).send(
            .sync(text: quad, file: "quad.yaml", expectVersion: 0))
        let answer = try #require(Self.done(added), "sync: \(added)")
        #expect(answer.contains("configuration version 1 runs on every member"), "\(answer)")
        try cluster.start("n4", binary: binary, config: "quad.yaml")
        let joined = await eventually(within: .seconds(30)) {
            guard let status = await cluster.status(from: "n1") else { return false }
            let n4 = await cluster.status(from: "n4")
            return status.nodes.map(\.name) == ["n1", "n2", "n3", "n4"] && status.nodes.allSatisfy { $0.state == .up }
                && n4?.configVersion == 1 && n4?.view == status.view
        }
        #expect(joined, "n4 did not join\n\(cluster.logs())")
        #expect(await cluster.holders(from: "n4") == ["n1"], "svc stays where it runs")

        let removed = try await AdminClient(socketPath: cluster.socket("n2")).send(
            .sync(text: original, file: "trio.yaml", expectVersion: 1))
        let removal = try #require(Self.done(removed), "sync: \(removed)")
        #expect(removal.contains("configuration version 2 runs on every member"), "\(removal)")
        // n4 may first be left out of the new view (and be down while it joins again) before it
        // sees the version that removes it: what counts is that it says so and stops.
        let left = await eventually(within: .seconds(30)) {
            let stopped = await cluster.status(from: "n4")?.state == .down
            let nodes = await cluster.status(from: "n1")?.nodes.map(\.name) ?? []
            let said = cluster.dir.read("n4/cluster.log").contains("configuration version 2 removes n4 from the cluster")
            return stopped && said && nodes == ["n1", "n2", "n3"]
        }
        #expect(left, "n4 did not stop its cluster services\n\(cluster.logs())")
        #expect(await cluster.holders(from: "n2") == ["n1"])
        for node in cluster.nodes { #expect(!isDead(pids[node]!), "\(node) restarted") }

        // Added back while its vigild is down: started from the file that names it, over the
        // stored version that removed it, it fetches the cluster's newest version and joins.
        if let pid = cluster.pids["n4"] { kill(pid, SIGKILL) }
        let again = try await AdminClient(socketPath: cluster.socket("n3")).send(
            .sync(text: quad, file: "quad.yaml", expectVersion: 2))
        #expect(Self.done(again)?.contains("configuration version 3 runs on every member") == true, "\(again)")
        try cluster.start("n4", binary: binary, config: "quad.yaml")
        let rejoined = await eventually(within: .seconds(30)) {
            let n4 = await cluster.status(from: "n4")
            return n4?.configVersion == 3 && n4?.state == .up
        }
        #expect(rejoined, "n4 did not join again\n\(cluster.logs())")
    }

    /// A disk heartbeat network added live: every node opens it at once and writes its slot on it,
    /// with no vigild restart.
    @Test func aDiskNetworkIsAddedLive() async throws {
        let binary = try #require(DaemonProcessTests.vigild, "vigild is not built: run swift build first")
        var cluster = Cluster()
        defer { cluster.cleanUp() }
        try await cluster.startAll(binary: binary)
        let original = cluster.dir.read("trio.yaml")
        let disk = cluster.dir.file("dhb2")
        // A second disk network, and every node's interface on it beside its first disk's.
        var lines: [String] = []
        for line in original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line == "nodes:" { lines.append("  - {name: dhb2, type: disk, device: \(disk)}") }
            lines.append(line)
            if let start = line.range(of: "- {name: dhb, label: "), let end = line.range(of: "_dhb,") {
                let node = line[start.upperBound..<end.lowerBound]
                lines.append(
                    line[..<start.lowerBound] + "- {name: dhb2, label: \(node)_dhb2, network: dhb2, device: \(disk)}")
            }
        }
        let twoDisks = lines.joined(separator: "\n")
        try #require(twoDisks.components(separatedBy: "network: dhb2").count == 4, "\(twoDisks)")
        let pids = cluster.pids

        let answer = try await AdminClient(socketPath: cluster.socket("n3")).send(
            .sync(text: twoDisks, file: "two-disks.yaml", expectVersion: 0))
        let done = try #require(Self.done(answer), "sync: \(answer)")
        #expect(done.contains("configuration version 1 runs on every member"), "\(done)")
        let slotSize = 64 * 1024
        let written = await eventually(within: .seconds(20)) {
            guard let bytes = FileManager.default.contents(atPath: disk), bytes.count >= 3 * slotSize + 16 else { return false }
            // Slot i of the node of rank i starts at (1 + i) x the slot size: each holds a record.
            return (1...3).allSatisfy { slot in bytes[slot * slotSize..<slot * slotSize + 16].contains { $0 != 0 } }
        }
        #expect(written, "every node writes its slot on the added disk\n\(cluster.logs())")
        for node in cluster.nodes {
            #expect(cluster.dir.read("\(node)/vigil.log").contains("disk heartbeat on dhb2 (\(disk)) starts"), "\(node)")
            // Its first heartbeats come within its detection time: it is never declared down.
            let events = cluster.dir.read("\(node)/cluster.log").split(separator: "\n").filter { $0.contains("dhb2") }
            #expect(!events.contains { $0.contains("network_down") }, "\(node): \(events)")
            #expect(!isDead(pids[node]!), "\(node) restarted")
        }
        #expect(await cluster.holders(from: "n2") == ["n1"], "svc stays where it runs")
    }

    /// `vigil sync --preview` against live daemons: the difference and what the group would do,
    /// nothing stored; `--expect-version` refuses a sync prepared against another version; every
    /// node keeps each version in its history, and any kept text can be read back.
    @Test func previewChangesNothingAndExpectedVersionGuardsTheSync() async throws {
        let binary = try #require(DaemonProcessTests.vigild, "vigild is not built: run swift build first")
        var cluster = Cluster()
        defer { cluster.cleanUp() }
        try await cluster.startAll(binary: binary)
        let original = cluster.dir.read("trio.yaml")
        let reordered = original.replacingOccurrences(of: "nodes: [n1, n2, n3]", with: "nodes: [n2, n1, n3]")
        try #require(reordered != original)

        let answer = try await AdminClient(socketPath: cluster.socket("n3")).send(
            .syncPreview(text: reordered, file: "new.yaml"))
        guard case .ok(.preview(let preview)) = answer, let body = preview.preview else {
            Issue.record("expected a preview, got \(answer)")
            return
        }
        #expect(body.changes == ["~ group svc: nodes n1,n2,n3 -> n2,n1,n3"])
        #expect(body.groups.map(\.description) == ["move     svc n1 -> n2: cascading: n2 is the highest-priority eligible node of [n2, n1, n3]"])
        #expect(body.summary == "preview: version 0 -> 1: 1 groups move, 0 restart, 0 unchanged")
        #expect(preview.errors == 0 && preview.refusal == nil)
        #expect(cluster.nodes.allSatisfy { !FileManager.default.fileExists(atPath: cluster.dir.file("\($0)/cluster.yaml")) })

        // A preview of a file with errors says so, and would be refused.
        let broken = try await AdminClient(socketPath: cluster.socket("n3")).send(
            .syncPreview(text: original + "\nnot_a_key: 1\n", file: "broken.yaml"))
        guard case .ok(.preview(let refused)) = broken else { Issue.record("\(broken)"); return }
        #expect(refused.errors > 0 && refused.refusal?.contains("broken.yaml has") == true, "\(refused)")
        #expect(refused.findings.contains { $0.hasPrefix("broken.yaml:") && $0.contains("not_a_key") }, "\(refused.findings)")

        // A change that leaves n1 no heartbeat path as it was (its address renumbered, the disk
        // moved): nodes running the two versions would not hear each other. Preview and sync refuse.
        let split = original.replacingOccurrences(
            of: "address: 127.\(cluster.subnet).0.1,", with: "address: 127.\(cluster.subnet).0.9,"
        ).replacingOccurrences(of: "/dhb}", with: "/dhb2}")
        try #require(split.contains("127.\(cluster.subnet).0.9,") && split.contains("/dhb2}"))
        let splitPreview = try await AdminClient(socketPath: cluster.socket("n3")).send(
            .syncPreview(text: split, file: "split.yaml"))
        guard case .ok(.preview(let unsafe)) = splitPreview else { Issue.record("\(splitPreview)"); return }
        #expect(unsafe.refusal?.hasPrefix("no heartbeat path between n1 and n2, n1 and n3 stays as it is") == true, "\(unsafe)")
        let splitSync = try await AdminClient(socketPath: cluster.socket("n3")).send(
            .sync(text: split, file: "split.yaml", expectVersion: nil))
        guard case .refused(let reason) = splitSync else { Issue.record("expected a refusal, got \(splitSync)"); return }
        #expect(reason.contains("no heartbeat path between n1 and n2") && reason.hasSuffix("nothing was sent"), "\(reason)")

        // Compare-and-swap: version 0 is expected and is the newest: stored as 1. Then a sync that
        // still expects 0 is refused and changes nothing.
        let synced = try await AdminClient(socketPath: cluster.socket("n1")).send(
            .sync(text: reordered, file: "new.yaml", expectVersion: 0))
        let done = try #require(Self.done(synced), "sync: \(synced)")
        #expect(done.contains("configuration version 1 stored") && done.contains("reconfig 1"), "\(done)")
        let stale = try await AdminClient(socketPath: cluster.socket("n2")).send(
            .sync(text: original, file: "old.yaml", expectVersion: 0))
        guard case .refused(let reason) = stale else { Issue.record("expected a refusal, got \(stale)"); return }
        #expect(reason.contains("version 1, not 0"), "\(reason)")
        for node in cluster.nodes {
            #expect(ConfigStore(stateDirectory: cluster.dir.file(node)).read()?.version == 1, "\(node)")
            let kept = ConfigStore(stateDirectory: cluster.dir.file(node)).history().map(\.version)
            #expect(kept == [1], "\(node) keeps \(kept)")
        }
        let history = try await AdminClient(socketPath: cluster.socket("n2")).send(.configHistory)
        guard case .ok(.history(let entries, let running)) = history else { Issue.record("\(history)"); return }
        #expect(entries.map(\.version) == [1] && running == 1)
        let text = try await AdminClient(socketPath: cluster.socket("n2")).send(.configText(version: 1))
        #expect(text == .ok(.config(version: 1, text: reordered)))
        let missing = try await AdminClient(socketPath: cluster.socket("n2")).send(.configText(version: 9))
        guard case .refused(let why) = missing else { Issue.record("\(missing)"); return }
        #expect(why == "version 9 is not kept on n2 (kept: 1)")
    }

    /// Two syncs of different texts started at once on two nodes: one wins, the other is refused,
    /// and every node stores the winner's text under the version (before, both took the same
    /// number and the nodes ended with different texts under it).
    @Test func twoSyncsAtOnceNeverBothWin() async throws {
        let binary = try #require(DaemonProcessTests.vigild, "vigild is not built: run swift build first")
        var cluster = Cluster()
        defer { cluster.cleanUp() }
        try await cluster.startAll(binary: binary)
        let original = cluster.dir.read("trio.yaml")
        let texts = ["n1": original + "\n# from n1\n", "n2": original + "\n# from n2\n"]
        let (first, second) = (cluster.socket("n1"), cluster.socket("n2"))
        async let fromN1 = AdminClient(socketPath: first).send(.sync(text: texts["n1"], file: "n1.yaml", expectVersion: nil))
        async let fromN2 = AdminClient(socketPath: second).send(.sync(text: texts["n2"], file: "n2.yaml", expectVersion: nil))
        let answers = ["n1": try await fromN1, "n2": try await fromN2]
        // Each sync that won names its version; a later one (if the first had finished before it
        // asked) takes the next number, never the same.
        var versions: [String: UInt64] = [:]
        for (node, answer) in answers {
            if let done = Self.done(answer) {
                let number = done.split(separator: " ").dropFirst(2).first.flatMap { UInt64($0) }
                versions[node] = try #require(number, "\(done)")
            } else if case .refused(let reason) = answer {
                #expect(reason.contains("another sync came first") || reason.contains("already under way"), "\(reason)")
            } else {
                Issue.record("\(node): \(answer)")
            }
        }
        #expect(!versions.isEmpty && Set(versions.values).count == versions.count, "\(answers)")
        guard let (winner, newest) = versions.max(by: { $0.value < $1.value }) else { return }
        let agreed = await eventually(within: .seconds(15)) {
            cluster.nodes.allSatisfy {
                let stored = ConfigStore(stateDirectory: cluster.dir.file($0)).read()
                return stored?.version == newest && stored?.text == texts[winner]
            }
        }
        #expect(agreed, "not every node stores \(winner)'s text as version \(newest)\n\(cluster.logs())")
    }

    /// `vigil sync` carries the scripts the configuration names under the files directory: a node
    /// that was down while the sync ran gets the configuration and the scripts when it returns,
    /// and a copy that drifted meanwhile is written back with the synchronised content and mode.
    @Test func syncCarriesTheScriptsTheConfigurationNames() async throws {
        let binary = try #require(DaemonProcessTests.vigild, "vigild is not built: run swift build first")
        var cluster = Cluster(start: { dir in
            try! FileManager.default.createDirectory(atPath: dir.file("etc"), withIntermediateDirectories: true)
            try! "#!/bin/sh\nsleep 600 & echo $! > \(dir.path)/svc-$VIGIL_NODE.pid\n".write(
                toFile: dir.file("etc/svc.start"), atomically: true, encoding: .utf8)
            chmod(dir.file("etc/svc.start"), 0o750)
            return "/bin/sh \(dir.file("etc/svc.start"))"
        })
        defer { cluster.cleanUp() }
        let files = ["--files-dir", cluster.dir.file("etc")]
        for node in cluster.nodes { try cluster.start(node, binary: binary, extra: files) }
        let placed = await eventually(within: .seconds(30)) { await cluster.holders(from: "n2") == ["n1"] }
        try #require(placed, "svc never came online on n1\n\(cluster.logs())")
        let script = cluster.dir.file("etc/svc.start")
        let synchronised = cluster.dir.read("etc/svc.start")

        // The preview names the script; n3 is down while the sync runs.
        let preview = try await AdminClient(socketPath: cluster.socket("n1")).send(.syncPreview(text: nil, file: nil))
        guard case .ok(.preview(let answer)) = preview else { Issue.record("\(preview)"); return }
        #expect(answer.carried == ["\(script) \(FileDigest.describe(script))"], "\(answer.carried)")
        kill(cluster.pids["n3"]!, SIGTERM)
        #expect(await eventually(within: .seconds(30)) { isDead(cluster.pids["n3"]!) })
        let synced = try await AdminClient(socketPath: cluster.socket("n1")).send(.sync(text: nil, file: nil, expectVersion: nil))
        let done = try #require(Self.done(synced), "sync: \(synced)")
        #expect(done.contains("configuration version 1 stored on n1, n2"), "\(done)")
        #expect(cluster.dir.read("n1/vigil.log").contains("with \(script)"))

        // n3's copy drifts while it is down (this test's nodes share one file system), then n3
        // returns: a peer pushes version 1 with the script, and n3 writes it back.
        try "#!/bin/sh\necho drifted\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o644)
        try cluster.start("n3", binary: binary, extra: files)
        let restored = await eventually(within: .seconds(30)) {
            ConfigStore(stateDirectory: cluster.dir.file("n3")).read()?.version == 1
                && (try? String(contentsOfFile: script, encoding: .utf8)) == synchronised
        }
        #expect(restored, "n3 did not get version 1 with its script\n\(cluster.logs())")
        var info = stat()
        stat(script, &info)
        #expect(info.st_mode & 0o7777 == 0o750)
        #expect(cluster.dir.read("n3/vigil.log").contains("wrote \(script)"))

        // A script the configuration names that is missing refuses the sync, and nothing is sent.
        try FileManager.default.removeItem(atPath: script)
        let refused = try await AdminClient(socketPath: cluster.socket("n2")).send(.sync(text: nil, file: nil, expectVersion: nil))
        guard case .refused(let reason) = refused else { Issue.record("expected a refusal, got \(refused)"); return }
        #expect(reason == "\(script) is named by the configuration but does not exist on this node; nothing was sent")
    }
}
