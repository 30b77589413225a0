import VigilCore

/// What the daemon implements to answer administrators. Transport-free: the Unix socket server
/// (`AdminServer`) calls it through `AdminDispatcher`, and an HTTP front end can call the same
/// dispatcher with the same commands. A method that cannot be carried out now throws
/// `AdminRefusal` before changing anything; any other error is reported as a failure.
public protocol AdminHandler: Sendable {
    /// The cluster as this node sees it.
    func status() async throws -> StatusSnapshot
    /// The agreed state this node installed, with the configuration it runs (`vigil emulate`).
    func agreedState() async throws -> AgreedStateAnswer
    /// Every resource group with the cluster's nodes; by default, taken from `status()`.
    func groups() async throws -> StatusSnapshot.GroupList
    /// Start cluster services on this node, or on every node. Returns what was done.
    func start(all: Bool) async throws -> String
    /// Stop cluster services on this node, or on every node. Returns what was done.
    func stop(mode: StopMode, all: Bool) async throws -> String
    /// Carry out `rg move | online | offline` cluster-wide. Returns what was done.
    func perform(_ request: AdminRequest) async throws -> String
    /// Push a configuration (`text` read from `file`, or this node's `--config` file when `nil`) to
    /// every node with a new version, unless the newest version is not `expectVersion`. Returns
    /// what was done.
    func sync(text: String?, file: String?, expectVersion: UInt64?) async throws -> String
    /// What syncing a configuration would change, from the live cluster's state. Changes nothing.
    func syncPreview(text: String?, file: String?) async throws -> SyncPreview
    /// The configuration versions kept on this node, oldest first, and the version it runs.
    func configHistory() async throws -> (entries: [ConfigStore.HistoryEntry], running: UInt64)
    /// The text of a kept version, or (`nil`) the newest this node has: the one it runs, or a
    /// newer one synced since and not running yet.
    func configText(version: UInt64?) async throws -> (version: UInt64, text: String)
    /// Gathers every node's status with the configuration into snapshot `name`. Returns what was done.
    func snapshotSave(name: String) async throws -> String
    /// Every configured node's status with its named files, gathered over the cluster channel.
    func clusterStatus() async throws -> [NodeStatus]
    /// The snapshots kept on this node, oldest first.
    func snapshotList() async throws -> [SnapshotEntry]
    /// One snapshot's text.
    func snapshotText(name: String) async throws -> String
    /// The last `lines` lines of the event log (or the cluster log), then, with `follow`, every new
    /// line until the consumer stops iterating. The stream must end by itself when not following.
    func log(cluster: Bool, lines: Int, follow: Bool) -> AsyncThrowingStream<String, any Error>
}

extension AdminHandler {
    public func groups() async throws -> StatusSnapshot.GroupList { try await status().groupList }
}
