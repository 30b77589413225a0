import Synchronization
import VigilCore

@testable import VigilRuntime

/// An `AdminHandler` that records what it was asked and answers from fixed data: it refuses any
/// request on a group it does not know, and its log follows until cancelled.
final class FakeAdminHandler: AdminHandler {
    struct State {
        var calls: [String] = []
        var statusCalls = 0
        var followEnded = false
    }

    let state = Mutex(State())
    let snapshot: StatusSnapshot
    let logLines: [String]
    /// Finished when a following log stream is terminated (the client left).
    let followEnded: AsyncStream<Void>
    let followEndedContinuation: AsyncStream<Void>.Continuation

    init(snapshot: StatusSnapshot = FakeAdminHandler.sample, logLines: [String] = ["one", "two", "three"]) {
        self.snapshot = snapshot
        self.logLines = logLines
        (followEnded, followEndedContinuation) = AsyncStream.makeStream()
    }

    var calls: [String] { state.withLock { $0.calls } }

    private func record(_ call: String) { state.withLock { $0.calls.append(call) } }

    func agreedState() async throws -> AgreedStateAnswer {
        AgreedStateAnswer(node: "ghost1", running: false, configVersion: 0, configText: nil, state: nil)
    }

    func status() async throws -> StatusSnapshot {
        let count = state.withLock { state in
            state.statusCalls += 1
            return state.statusCalls
        }
        var snapshot = snapshot
        snapshot.view = UInt64(count)  // each snapshot of a watch is told apart by its view
        return snapshot
    }

    func start(all: Bool) async throws -> String {
        record("start all=\(all)")
        return all ? "starting cluster services on every node" : "starting cluster services on ghost1"
    }

    func stop(mode: StopMode, all: Bool) async throws -> String {
        record("stop \(mode.rawValue) all=\(all)")
        return "stopping cluster services on ghost1 (\(mode.rawValue))"
    }

    func perform(_ request: AdminRequest) async throws -> String {
        guard snapshot.groups.contains(where: { $0.name == request.group }) else {
            throw AdminRefusal("no resource group \(request.group ?? "") in cluster \(snapshot.cluster)")
        }
        record(request.description)
        return "\(request.description): done"
    }

    func sync(text: String?, file: String?, expectVersion: UInt64?) async throws -> String {
        struct DiskFull: Error, CustomStringConvertible {
            var description: String { "cannot write the configuration: disk full" }
        }
        throw DiskFull()
    }
    func syncPreview(text: String?, file: String?) async throws -> SyncPreview {
        SyncPreview(source: file ?? "cluster.yaml", preview: nil, findings: [], errors: 0, warnings: 0, refusal: nil)
    }
    func configHistory() async throws -> (entries: [ConfigStore.HistoryEntry], running: UInt64) { ([], 0) }
    func snapshotSave(name: String) async throws -> String { "snapshot \(name) saved" }
    func clusterStatus() async throws -> [NodeStatus] { [] }
    func snapshotList() async throws -> [SnapshotEntry] { [] }
    func snapshotText(name: String) async throws -> String { throw AdminRefusal("no snapshot \(name)") }
    func configText(version: UInt64?) async throws -> (version: UInt64, text: String) {
        throw AdminRefusal("version \(version ?? 0) is not kept")
    }

    func log(cluster: Bool, lines: Int, follow: Bool) -> AsyncThrowingStream<String, any Error> {
        let (stream, continuation) = AsyncThrowingStream<String, any Error>.makeStream()
        let prefix = cluster ? "cluster: " : ""
        for line in logLines.suffix(lines) { continuation.yield(prefix + line) }
        if follow {
            continuation.onTermination = { [self] _ in
                state.withLock { $0.followEnded = true }
                followEndedContinuation.finish()
            }
        } else {
            continuation.finish()
        }
        return stream
    }

    /// Two nodes, one group, as a daemon would describe them.
    static let sample = StatusSnapshot(
        cluster: "pair", clusterID: 7, state: .up, substate: .stable, localNode: "alpha", configVersion: 2,
        nodes: [.init(name: "alpha", state: .up, coordinator: true), .init(name: "beta", state: .down)],
        interfaces: [
            .init(
                node: "alpha", name: "eth0", label: "alpha_boot", network: "lan", address: "10.0.0.1", state: .up,
                serviceAddresses: ["web_svc"])
        ],
        groups: [
            .init(
                name: "WEB", policy: "cascading",
                placements: [.init(node: "alpha", state: .online), .init(node: "beta", state: .offline)],
                reason: "node_down beta: alpha is next in WEB's list")
        ],
        counters: ["packets_received": 12])
}
