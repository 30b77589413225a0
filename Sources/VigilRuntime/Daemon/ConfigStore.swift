import Foundation
import VigilModel

/// The newest synchronised configuration a node stores (`vigil sync`): `STATE/cluster.yaml`, whose
/// first line carries its version. One file, replaced atomically (written aside, then renamed), so
/// a crash never leaves a text with another version's number.
///
/// Every version stored is also kept in `STATE/config-history/VERSION.yaml` (the newest
/// `historyLimit`), for `vigil config history | show | diff | rollback`.
public struct ConfigStore: Sendable {
    public let path: String
    /// The directory of kept versions.
    public let historyDirectory: String

    /// How many versions the history keeps: older ones are removed as new ones are stored.
    public static let historyLimit = 100

    public init(stateDirectory: String) {
        path = stateDirectory + "/cluster.yaml"
        historyDirectory = stateDirectory + "/config-history"
    }

    static let header = "# vigil: configuration version "
    static let headerEnd = " (written by vigil sync; edit the --config file and run `vigil sync` instead)\n"

    /// The stored version and its text, or nil when nothing is stored (or the file is not one of ours).
    public func read() -> (version: UInt64, text: String)? {
        guard let whole = try? String(contentsOfFile: path, encoding: .utf8), whole.hasPrefix(Self.header),
            let newline = whole.firstIndex(of: "\n")
        else { return nil }
        let first = whole[whole.index(whole.startIndex, offsetBy: Self.header.count)..<newline]
        guard let version = UInt64(first.prefix { $0.isNumber }), version > 0 else { return nil }
        return (version, String(whole[whole.index(after: newline)...]))
    }

    /// Replaces the stored configuration, and keeps the version in the history.
    public func write(version: UInt64, text: String) throws {
        try Self.replace(path, with: Self.header + "\(version)" + Self.headerEnd + text)
        try keep(version: version, text: text)
    }

    /// Writes `contents` aside, then renames it over `path`.
    private static func replace(_ path: String, with contents: String) throws {
        let aside = path + ".new"
        try contents.write(toFile: aside, atomically: false, encoding: .utf8)
        guard rename(aside, path) == 0 else {
            throw ConfigStoreError("cannot replace \(path): \(String(cString: strerror(errno)))")
        }
    }

    // MARK: History

    /// One kept version.
    public struct HistoryEntry: Sendable, Hashable, Codable {
        public var version: UInt64
        /// When this node stored it (seconds since 1970).
        public var storedAt: Double
        public var bytes: Int

        public init(version: UInt64, storedAt: Double, bytes: Int) {
            self.version = version
            self.storedAt = storedAt
            self.bytes = bytes
        }
    }

    /// Keeps `text` as `version` in the history, and removes the oldest past `historyLimit`.
    public func keep(version: UInt64, text: String) throws {
        try FileManager.default.createDirectory(atPath: historyDirectory, withIntermediateDirectories: true)
        try Self.replace(historyPath(version), with: text)
        for old in history().dropLast(Self.historyLimit) {
            try? FileManager.default.removeItem(atPath: historyPath(old.version))
        }
    }

    /// The kept versions, oldest first.
    public func history() -> [HistoryEntry] {
        KeptFiles.list(in: historyDirectory, suffix: ".yaml").compactMap { file -> HistoryEntry? in
            guard let version = UInt64(file.name), version > 0 else { return nil }
            return HistoryEntry(version: version, storedAt: file.modified, bytes: file.bytes)
        }.sorted { $0.version < $1.version }
    }

    /// The text of a kept version, `nil` when it is not kept.
    public func text(of version: UInt64) -> String? {
        try? String(contentsOfFile: historyPath(version), encoding: .utf8)
    }

    private func historyPath(_ version: UInt64) -> String { historyDirectory + "/\(version).yaml" }

    /// Reads and verifies a configuration's text (`VerifiedText`): the configuration, or every
    /// error found (each naming `file`, line and field). `clusterID`: the configuration must keep
    /// the running cluster's id (its packets are authenticated with it).
    public static func verify(_ text: String, file: String, clusterID: Int? = nil) -> Result<
        ClusterConfig, ConfigStoreError
    > {
        VerifiedText.configuration(text, file: file, clusterID: clusterID).mapError { ConfigStoreError("\($0)") }
    }

    /// Whether the stored version is one that removed `node`: it verifies, and does not name it.
    /// Such a version is set aside when `node` starts from a file that names it (`chooseAtStart`).
    public func storedVersionRemoves(_ node: String) -> Bool {
        guard let stored = read(), let config = try? Self.verify(stored.text, file: path).get() else { return false }
        return config.node(named: node) == nil
    }

    /// What `vigild` runs at start: the configuration stored by `vigil sync` when there is one
    /// that verifies, else the `--config` file. The `--config` file has no version of its own: it
    /// counts as the stored version when its text is the same, and as version 0 otherwise, so the
    /// stored (synchronised) one wins; a changed `--config` file is brought in with `vigil sync`.
    ///
    /// One exception: a stored version that removed `node` while the `--config` file names it (the
    /// administrator starts a node that a later version added back). The file runs, as version 0,
    /// and the stored version is set aside: the node fetches the cluster's newest version, and
    /// joins if it names the node or stops its cluster services if it does not.
    public static func chooseAtStart(configPath: String, stateDirectory: String, given: String, node: String? = nil)
        -> StartupChoice
    {
        let store = ConfigStore(stateDirectory: stateDirectory)
        guard let stored = store.read() else {
            return StartupChoice(path: configPath, text: given, version: 0, note: nil)
        }
        if stored.text == given {
            return StartupChoice(path: configPath, text: given, version: stored.version, note: nil)
        }
        switch verify(stored.text, file: store.path) {
        case .success(let storedConfig):
            if let node, store.storedVersionRemoves(node),
                case .success(let givenConfig) = verify(given, file: configPath),
                givenConfig.node(named: node) != nil, givenConfig.id == storedConfig.id
            {
                return StartupChoice(
                    path: configPath, text: given, version: 0,
                    note:
                        "the synchronised configuration version \(stored.version) (\(store.path)) removed \(node); "
                        + "starting from \(configPath), which names it: \(node) joins if the cluster's newest "
                        + "version names it")
            }
            return StartupChoice(
                path: store.path, text: stored.text, version: stored.version,
                note:
                    "using the synchronised configuration version \(stored.version) (\(store.path)): \(configPath) "
                    + "differs from it; run `vigil sync` to distribute a changed file"
            )
        case .failure(let error):
            return StartupChoice(
                path: configPath, text: given, version: 0,
                note:
                    "the stored configuration \(store.path) (version \(stored.version)) has errors; using "
                    + "\(configPath):\n\(error)"
            )
        }
    }

    public struct StartupChoice: Sendable {
        public var path: String
        public var text: String
        public var version: UInt64
        /// What to tell the administrator about the choice, if anything.
        public var note: String?
    }
}

public struct ConfigStoreError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
