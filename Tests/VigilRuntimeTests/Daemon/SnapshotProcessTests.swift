#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import VigilCore
import VigilModel
@testable import VigilRuntime

/// `vigil snapshot` between real daemons: a snapshot holds the configuration and every node's
/// status gathered over the cluster channel, marks a node that does not answer instead of waiting
/// for it, and restoring it (a sync, then each node running the stored version) brings a changed
/// cluster back to the saved configuration: no difference with the live one afterwards.
@Suite(.serialized, .timeLimit(.minutes(4))) struct SnapshotProcessTests {
    typealias Cluster = DaemonProcessTests.Cluster

    static func answer(_ node: String, _ cluster: Cluster, _ command: AdminCommand) async throws -> AdminResponse {
        try await AdminClient(socketPath: cluster.socket(node)).send(command)
    }

    static func snapshot(_ node: String, _ cluster: Cluster, _ name: String) async throws -> SnapshotFile {
        let response = try await answer(node, cluster, .snapshotText(name: name))
        guard case .ok(.snapshot(_, let text)) = response else { throw SnapshotFileError("\(response)") }
        return try SnapshotFile(parsing: text, file: name)
    }

    /// Restarts every node's daemon (each then runs the newest configuration it stores).
    static func restartAll(_ cluster: inout Cluster, binary: String) async throws {
        for node in cluster.nodes { kill(cluster.pids[node]!, SIGTERM) }
        let ended = await eventually(within: .seconds(30)) { cluster.nodes.allSatisfy { isDead(cluster.pids[$0]!) } }
        try #require(ended, "a daemon did not stop\n\(cluster.logs())")
        for node in cluster.nodes { try cluster.start(node, binary: binary) }
    }

    @Test func aSnapshotIsSavedFromEveryNodeAndRestoredBySync() async throws {
        let binary = try #require(DaemonProcessTests.vigild, "vigild is not built: run swift build first")
        var cluster = Cluster()
        defer { cluster.cleanUp() }
        try await cluster.startAll(binary: binary)
        let original = cluster.dir.read("trio.yaml")

        let saved = try await Self.answer("n2", cluster, .snapshotSave(name: "base"))
        guard case .ok(.done(let message)) = saved else { Issue.record("\(saved)"); return }
        #expect(message.contains("status of n1, n2, n3") && !message.contains("unreachable"), "\(message)")
        let base = try await Self.snapshot("n2", cluster, "base")
        #expect(base.configuration == original || base.configuration == original + "\n")
        #expect(base.configVersion == 0 && base.node == "n2")
        #expect(base.unreachable.isEmpty)
        for (node, json) in base.statuses {
            let status = try JSONDecoder().decode(StatusSnapshot.self, from: Data(try #require(json).utf8))
            #expect(status.localNode == node, "each node's own status, gathered from it")
        }
        let listed = try await Self.answer("n2", cluster, .snapshotList)
        guard case .ok(.snapshots(let entries)) = listed else { Issue.record("\(listed)"); return }
        #expect(entries.map(\.name) == ["base"])

        // A node that does not answer is marked, and the snapshot does not wait for it.
        kill(cluster.pids["n3"]!, SIGSTOP)
        let partial = try await Self.answer("n1", cluster, .snapshotSave(name: "without-n3"))
        kill(cluster.pids["n3"]!, SIGCONT)
        guard case .ok(.done(let partialMessage)) = partial else { Issue.record("\(partial)"); return }
        #expect(partialMessage.contains("unreachable (marked in the snapshot): n3"), "\(partialMessage)")
        #expect(try await Self.snapshot("n1", cluster, "without-n3").unreachable == ["n3"])

        // Change the cluster: version 1 moves svc's priority and runs on every node after a restart.
        let changed = original.replacingOccurrences(of: "nodes: [n1, n2, n3]", with: "nodes: [n2, n1, n3]")
        try #require(changed != original)
        let synced = try await Self.answer("n1", cluster, .sync(text: changed, file: "changed.yaml", expectVersion: nil))
        guard case .ok(.done) = synced else { Issue.record("\(synced)"); return }
        try await Self.restartAll(&cluster, binary: binary)
        let runsOne = await eventually(within: .seconds(30)) {
            var all = true
            for node in cluster.nodes where await cluster.status(from: node)?.configVersion != 1 { all = false }
            return all
        }
        try #require(runsOne, "not every node runs version 1\n\(cluster.logs())")
        let moved = await eventually(within: .seconds(30)) { await cluster.holders(from: "n3") == ["n2"] }
        try #require(moved, "svc is not on n2, its first node in version 1\n\(cluster.logs())")

        // Restore: the snapshot's configuration is synced as version 2, and runs after a restart.
        let restored = try await Self.answer("n2", cluster, .sync(text: base.configuration, file: "snapshot base", expectVersion: 1))
        guard case .ok(.done(let restoredMessage)) = restored else { Issue.record("\(restored)"); return }
        #expect(restoredMessage.contains("configuration version 2 stored"), "\(restoredMessage)")
        try await Self.restartAll(&cluster, binary: binary)
        let runsTwo = await eventually(within: .seconds(30)) {
            var all = true
            for node in cluster.nodes where await cluster.status(from: node)?.configVersion != 2 { all = false }
            return all
        }
        try #require(runsTwo, "not every node runs version 2\n\(cluster.logs())")
        let live = try await Self.answer("n3", cluster, .configText(version: nil))
        guard case .ok(.config(let version, let text)) = live else { Issue.record("\(live)"); return }
        #expect(version == 2)
        let (before, _) = ConfigLoader.load(yaml: base.configuration, file: "base")
        let (after, _) = ConfigLoader.load(yaml: text, file: "live")
        #expect(ConfigDifference(from: try #require(before).config, to: try #require(after).config).isEmpty)
        let back = await eventually(within: .seconds(30)) { await cluster.holders(from: "n3") == ["n1"] }
        #expect(back, "svc is not back on n1, its first node in the restored configuration\n\(cluster.logs())")
    }

    /// `vigil verify --cluster`'s gathering: every node answers with the digest of each file the
    /// configuration names, and a file changed between two gatherings shows in both nodes' answers.
    @Test func everyNodeReportsTheFilesTheConfigurationNames() async throws {
        let binary = try #require(DaemonProcessTests.vigild, "vigild is not built: run swift build first")
        var cluster = Cluster(start: { dir in
            try! "#!/bin/sh\nsleep 600 & echo $! > \(dir.path)/svc-$VIGIL_NODE.pid\n".write(
                toFile: dir.file("svc.start"), atomically: true, encoding: .utf8)
            return "/bin/sh \(dir.file("svc.start"))"
        })
        defer { cluster.cleanUp() }
        try await cluster.startAll(binary: binary)
        let response = try await Self.answer("n3", cluster, .clusterStatus)
        guard case .ok(.statuses(let nodes)) = response else { Issue.record("\(response)"); return }
        #expect(nodes.map(\.node) == cluster.nodes)
        let digests = nodes.map { $0.status?.files?["/bin/sh"] }
        #expect(digests.allSatisfy { $0?.hasPrefix("sha256:") == true }, "\(digests)")
        #expect(Set(digests).count == 1)
        let script = nodes.map { $0.status?.files?[cluster.dir.file("svc.start")] }
        #expect(script.allSatisfy { $0?.hasPrefix("sha256:") == true } && Set(script).count == 1, "\(script)")

        // The script changes: every node now reports the new content (one file system here; on
        // real nodes, only those whose copy changed would).
        try "#!/bin/sh\n# changed\nsleep 600 & echo $! > \(cluster.dir.path)/svc-$VIGIL_NODE.pid\n".write(
            toFile: cluster.dir.file("svc.start"), atomically: true, encoding: .utf8)
        let again = try await Self.answer("n1", cluster, .clusterStatus)
        guard case .ok(.statuses(let later)) = again else { Issue.record("\(again)"); return }
        let changed = later.map { $0.status?.files?[cluster.dir.file("svc.start")] }
        #expect(Set(changed).count == 1 && changed.first != script.first, "\(changed)")
    }
}
