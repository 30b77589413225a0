import VigilCore

/// What an administrator asks the local `vigild` to do: one request per connection on the control
/// socket (and, later, per HTTP call). Encoded as JSON with the case as the key, e.g.
/// `{"rgMove":{"group":"SH2","node":"ghost4"}}` or `{"status":{}}`.
public enum AdminCommand: Codable, Sendable, Hashable {
    /// The status snapshot; with an interval, a fresh snapshot every interval until the client leaves.
    case status(watchIntervalMilliseconds: Int?)
    /// Start cluster services on this node, or on every node.
    case start(all: Bool)
    /// Stop cluster services on this node, or on every node, in the given way.
    case stop(mode: StopMode, all: Bool)
    /// Every resource group with its state on each node.
    case rgList
    /// Move a group to a node and keep it there (sticky) until cleared.
    case rgMove(group: String, node: String)
    /// Bring a group online where its policy puts it, clearing any hold and sticky placement.
    case rgOnline(group: String)
    /// Take a group offline; `sticky`: it stays offline whatever happens until brought online.
    case rgOffline(group: String, sticky: Bool)
    /// The last `lines` lines of this node's event log, or of the cluster log; `follow`: then every
    /// new line as it is written, until the client leaves.
    case log(cluster: Bool, lines: Int, follow: Bool)
    /// Push a configuration to every node with a new version number: `text` (read from `file`, the
    /// name its findings are reported under), or this node's `--config` file when `nil`.
    /// `expectVersion`: refused unless the cluster's newest version is that one (compare-and-swap:
    /// a sync prepared against an older version does not overwrite a newer one).
    case sync(text: String?, file: String?, expectVersion: UInt64?)
    /// What syncing `text` (read from `file`; this node's `--config` file when `nil`) would
    /// change, without changing anything (`vigil sync --preview`).
    case syncPreview(text: String?, file: String?)
    /// The configuration versions this node keeps (`vigil config history`).
    case configHistory
    /// The text of a kept version; `nil`: the newest this node has (`vigil config show`), the one
    /// it runs or a newer one synced since.
    case configText(version: UInt64?)
    /// Gather every node's status and the configuration into the snapshot `name` (`vigil snapshot save`).
    case snapshotSave(name: String)
    /// Every node's status with the files the configuration names, gathered over the cluster
    /// channel (`vigil verify --cluster`).
    case clusterStatus
    /// The snapshots kept on this node (`vigil snapshot list`).
    case snapshotList
    /// One snapshot's text (`vigil snapshot show`).
    case snapshotText(name: String)
    /// Clear UNSTABLE after an event ran longer than config_too_long (the administrator acted).
    case acknowledge
    /// The agreed state this node installed and the configuration it runs (`vigil emulate`,
    /// `vigil explain`): read only.
    case agreedState

    /// The bounds the daemon accepts: a watch interval of 100 ms to 1 h, 0 to 10 000 log lines.
    public static let watchIntervals = 100...3_600_000
    public static let logLines = 0...10_000

    /// Why the command cannot be accepted as written, or `nil` when it is well formed.
    public var problem: String? {
        switch self {
        case .status(let interval?) where !Self.watchIntervals.contains(interval):
            "watch interval \(interval)ms is out of range (100ms to 1h)"
        case .log(_, let lines, _) where !Self.logLines.contains(lines):
            "log line count \(lines) is out of range (0 to 10000)"
        case .rgMove(let group, _) where group.isEmpty, .rgOnline(let group) where group.isEmpty,
            .rgOffline(let group, _) where group.isEmpty:
            "a resource group name is required"
        case .rgMove(_, let node) where node.isEmpty:
            "a node name is required"
        case .snapshotSave(let name) where !SnapshotFile.isValidName(name),
            .snapshotText(let name) where !SnapshotFile.isValidName(name):
            "a snapshot's name is 1 to 64 letters, digits, '_', '-' and '.', starting with a letter or digit"
        case .sync(let text?, _, _) where text.isEmpty, .syncPreview(let text?, _) where text.isEmpty:
            "the configuration text is empty"
        default:
            nil
        }
    }

    /// The core's request for the `rg move | online | offline` and `acknowledge` commands, `nil`
    /// for the others.
    public var groupRequest: AdminRequest? {
        switch self {
        case .rgMove(let group, let node): .move(group: group, node: node)
        case .rgOnline(let group): .online(group: group)
        case .rgOffline(let group, let sticky): .offline(group: group, sticky: sticky)
        case .acknowledge: .acknowledge
        default: nil
        }
    }

    /// Whether the daemon may answer with more than one response (`status` with a watch interval,
    /// `log --follow`, and `log` in general: one response per line).
    public var streams: Bool {
        switch self {
        case .status(let interval): interval != nil
        case .log: true
        default: false
        }
    }
}

/// How `vigil stop` stops cluster services (the seed's clstop modes).
public enum StopMode: String, Codable, Sendable, Hashable, CaseIterable {
    /// Release this node's groups; they stay offline until the node returns.
    case graceful
    /// Release this node's groups; the other nodes take them over.
    case takeover
    /// Leave the resources running, unmanaged; nobody takes them over.
    case forced

    /// The way the node leaves the cluster, as the core records it.
    public var departure: ClusterEvent.Departure {
        switch self {
        case .graceful: .graceful
        case .takeover: .takeover
        case .forced: .forced
        }
    }
}
