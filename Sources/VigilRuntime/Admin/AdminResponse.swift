/// One answer from the daemon to an `AdminCommand`. A command answers with one response; a stream
/// (`status` with a watch interval, `log`) with one per snapshot or line, and ends when the daemon
/// closes the connection. Encoded as JSON with the case as the only key: `{"ok":{"status":{...}}}`,
/// `{"ok":{"done":{"message":"..."}}}`, `{"refused":{"reason":"..."}}`, `{"error":{"message":"..."}}`.
public enum AdminResponse: Codable, Sendable, Hashable {
    /// Carried out (or, for a query, answered).
    case ok(AdminPayload)
    /// The cluster cannot carry the command out now; it says why and nothing changed.
    case refused(reason: String)
    /// The request could not be read or handled (malformed, unknown version, the daemon failed).
    case error(message: String)
}

/// What a successful response carries: `{"status":SNAPSHOT}`, `{"groups":{"nodes":[...],"groups":[...]}}`,
/// `{"done":{"message":"..."}}` or `{"log":{"lines":["..."]}}`.
public enum AdminPayload: Codable, Sendable, Hashable {
    /// An action was carried out or started: what happened, in a sentence.
    case done(message: String)
    /// The cluster as this node sees it.
    case status(StatusSnapshot)
    /// Every resource group with its state per node (`vigil rg list`).
    case groups(StatusSnapshot.GroupList)
    /// Log lines, oldest first.
    case log(lines: [String])
    /// What a sync would change (`vigil sync --preview`).
    case preview(SyncPreview)
    /// The configuration versions kept, oldest first.
    case history(entries: [ConfigStore.HistoryEntry], running: UInt64)
    /// One configuration's text.
    case config(version: UInt64, text: String)
    /// Every configured node's status as it answered (`nil`: it did not), in configured order.
    case statuses(nodes: [NodeStatus])
    /// The snapshots kept, oldest first.
    case snapshots(entries: [SnapshotEntry])
    /// One snapshot's text.
    case snapshot(name: String, text: String)
    /// The agreed state this node installed and the configuration it runs.
    case agreed(AgreedStateAnswer)
}

/// One node's status as gathered from it, or `nil` when it did not answer.
public struct NodeStatus: Sendable, Hashable, Codable {
    public var node: String
    public var status: StatusSnapshot?

    public init(node: String, status: StatusSnapshot?) {
        self.node = node
        self.status = status
    }
}

/// A snapshot kept on a node (`STATE/snapshots/NAME.snapshot`).
public struct SnapshotEntry: Sendable, Hashable, Codable {
    public var name: String
    /// When the file was written (seconds since 1970).
    public var savedAt: Double
    public var bytes: Int

    public init(name: String, savedAt: Double, bytes: Int) {
        self.name = name
        self.savedAt = savedAt
        self.bytes = bytes
    }
}

extension AdminResponse {
    enum CodingKeys: String, CodingKey, CaseIterable { case ok, refused, error }
    struct Reason: Codable { var reason: String }
    struct Message: Codable { var message: String }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try onlyKey(of: container) {
        case .ok: self = .ok(try container.decode(AdminPayload.self, forKey: .ok))
        case .refused: self = .refused(reason: try container.decode(Reason.self, forKey: .refused).reason)
        case .error: self = .error(message: try container.decode(Message.self, forKey: .error).message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .ok(let payload): try container.encode(payload, forKey: .ok)
        case .refused(let reason): try container.encode(Reason(reason: reason), forKey: .refused)
        case .error(let message): try container.encode(Message(message: message), forKey: .error)
        }
    }
}

extension AdminPayload {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case done, status, groups, log, preview, history, config, snapshots, snapshot, statuses, agreed
    }
    struct Statuses: Codable { var nodes: [NodeStatus] }
    struct Snapshots: Codable { var entries: [SnapshotEntry] }
    struct Snapshot: Codable {
        var name: String
        var text: String
    }
    struct Message: Codable { var message: String }
    struct Lines: Codable { var lines: [String] }
    struct History: Codable {
        var entries: [ConfigStore.HistoryEntry]
        var running: UInt64
    }
    struct Config: Codable {
        var version: UInt64
        var text: String
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try onlyKey(of: container) {
        case .done: self = .done(message: try container.decode(Message.self, forKey: .done).message)
        case .status: self = .status(try container.decode(StatusSnapshot.self, forKey: .status))
        case .groups: self = .groups(try container.decode(StatusSnapshot.GroupList.self, forKey: .groups))
        case .log: self = .log(lines: try container.decode(Lines.self, forKey: .log).lines)
        case .preview: self = .preview(try container.decode(SyncPreview.self, forKey: .preview))
        case .history:
            let history = try container.decode(History.self, forKey: .history)
            self = .history(entries: history.entries, running: history.running)
        case .config:
            let config = try container.decode(Config.self, forKey: .config)
            self = .config(version: config.version, text: config.text)
        case .snapshots: self = .snapshots(entries: try container.decode(Snapshots.self, forKey: .snapshots).entries)
        case .statuses: self = .statuses(nodes: try container.decode(Statuses.self, forKey: .statuses).nodes)
        case .snapshot:
            let snapshot = try container.decode(Snapshot.self, forKey: .snapshot)
            self = .snapshot(name: snapshot.name, text: snapshot.text)
        case .agreed: self = .agreed(try container.decode(AgreedStateAnswer.self, forKey: .agreed))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .done(let message): try container.encode(Message(message: message), forKey: .done)
        case .status(let snapshot): try container.encode(snapshot, forKey: .status)
        case .groups(let groups): try container.encode(groups, forKey: .groups)
        case .log(let lines): try container.encode(Lines(lines: lines), forKey: .log)
        case .preview(let preview): try container.encode(preview, forKey: .preview)
        case .history(let entries, let running):
            try container.encode(History(entries: entries, running: running), forKey: .history)
        case .config(let version, let text): try container.encode(Config(version: version, text: text), forKey: .config)
        case .snapshots(let entries): try container.encode(Snapshots(entries: entries), forKey: .snapshots)
        case .statuses(let nodes): try container.encode(Statuses(nodes: nodes), forKey: .statuses)
        case .snapshot(let name, let text): try container.encode(Snapshot(name: name, text: text), forKey: .snapshot)
        case .agreed(let answer): try container.encode(answer, forKey: .agreed)
        }
    }
}

/// The one key of an object that stands for an enum case; anything else is a decoding error.
private func onlyKey<Key: CodingKey & CaseIterable>(of container: KeyedDecodingContainer<Key>) throws -> Key {
    guard container.allKeys.count == 1, let key = container.allKeys.first else {
        let names = Key.allCases.map(\.stringValue).joined(separator: ", ")
        throw DecodingError.dataCorrupted(
            .init(
                codingPath: container.codingPath, debugDescription: "expected exactly one of \(names)"))
    }
    return key
}
