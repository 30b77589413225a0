import Foundation
import Synchronization
import VigilCore
import VigilModel

/// What the loop publishes after every input for the daemon's other tasks (the application
/// monitor): they never touch the core itself.
struct PublishedState: Sendable {
    var onlineGroups: Set<String> = []
}

/// The administrator's commands (`vigil ...` over the control socket), carried out through the
/// daemon's loop, so that they are ordered with everything else the core sees.
extension NodeDaemon: AdminHandler {
    func publish(core: ClusterNode, at now: Moment) {
        let online = Set(core.holdings.groups.filter { $0.value.state == .online }.keys)
        published.withLock { $0.onlineGroups = online }
    }

    func onlineGroups() -> Set<String> { published.withLock { $0.onlineGroups } }

    public func status() async throws -> StatusSnapshot {
        await withCheckedContinuation { send(.status($0)) }
    }

    public func agreedState() async throws -> AgreedStateAnswer {
        await withCheckedContinuation { send(.agreedState($0)) }
    }

    public func start(all: Bool) async throws -> String {
        if all { return try await withCheckedThrowingContinuation { send(.servicesAll(.start, $0)) } }
        return try await withCheckedThrowingContinuation { send(.start($0)) }
    }

    public func stop(mode: StopMode, all: Bool) async throws -> String {
        if all { return try await withCheckedThrowingContinuation { send(.servicesAll(.stop(mode.departure), $0)) } }
        return try await withCheckedThrowingContinuation { send(.stop(mode.departure, $0)) }
    }

    public func perform(_ request: AdminRequest) async throws -> String {
        try await withCheckedThrowingContinuation { send(.request(request, $0)) }
    }

    /// Verifies a configuration (`text`, or this node's configuration file as it is now), then has
    /// the loop store it as the next version and push it to every node. A configuration with errors
    /// is refused and nothing is sent.
    public func sync(text: String?, file: String?, expectVersion: UInt64?) async throws -> String {
        let (text, source) = try configuration(text: text, file: file, doing: "nothing was sent")
        let verified: ClusterConfig
        switch ConfigStore.verify(text, file: source, clusterID: config.id) {
        case .success(let config): verified = config
        case .failure(let errors): throw AdminRefusal("\(source) has errors; nothing was sent:\n\(errors)")
        }
        if let broken = HeartbeatContinuity.refusal(from: config, to: verified) {
            throw AdminRefusal("\(broken); nothing was sent")
        }
        let bundle: ConfigBundle
        do {
            bundle = try ConfigBundle.gather(configuration: text, config: verified, directory: options.filesDirectory)
        } catch {
            throw AdminRefusal("\(error); nothing was sent")
        }
        let chunks = ConfigSync.chunks(of: bundle.text).count
        guard chunks <= ConfigSync.maximumChunks else {
            throw AdminRefusal(
                "\(source) with the files it names is too large to synchronise (\(bundle.text.utf8.count) bytes in "
                    + "\(chunks) messages, at most \(ConfigSync.maximumChunks)); nothing was sent"
            )
        }
        return try await withCheckedThrowingContinuation {
            send(.sync(bundle: bundle, source: source, expectVersion: expectVersion, $0))
        }
    }

    public func syncPreview(text: String?, file: String?) async throws -> SyncPreview {
        let (text, source) = try configuration(text: text, file: file, doing: "nothing to preview")
        // The files a sync would carry, read now; why it could not, if it could not.
        var carried: Result<[String], ConfigBundleError> = .success([])
        if let loaded = ConfigLoader.load(yaml: text, file: source).0 {
            do {
                let bundle = try ConfigBundle.gather(
                    configuration: text, config: loaded.config, directory: options.filesDirectory)
                carried = .success(bundle.files.map { "\($0.path) \($0.digest)" })
            } catch {
                carried = .failure(error)
            }
        }
        let input = SyncPreviewInput(text: text, source: source, carried: carried)
        return await withCheckedContinuation { send(.preview(input, $0)) }
    }

    /// The text to sync or preview and the name to report it under: the given text, or this
    /// node's `--config` file read now.
    private func configuration(text: String?, file: String?, doing: String) throws -> (String, String) {
        if let text { return (text, file ?? "the given configuration") }
        let path = options.configPath
        do {
            return (try String(contentsOfFile: path, encoding: .utf8), path)
        } catch {
            throw AdminRefusal("cannot read \(path): \(error.localizedDescription); \(doing)")
        }
    }

    public func configHistory() async throws -> (entries: [ConfigStore.HistoryEntry], running: UInt64) {
        (ConfigStore(stateDirectory: options.stateDirectory).history(), runningVersion.version)
    }

    public func configText(version: UInt64?) async throws -> (version: UInt64, text: String) {
        let running = runningVersion
        // `live`: the newest this node has, the one it runs or a newer one synced since.
        if version == nil, let stored = ConfigStore(stateDirectory: options.stateDirectory).read(),
            stored.version > running.version
        {
            return stored
        }
        if version == nil || version == running.version, let text = running.text {
            return (running.version, text)
        }
        guard let version else { throw AdminRefusal("the running configuration's text is not kept on \(me)") }
        let store = ConfigStore(stateDirectory: options.stateDirectory)
        guard let text = store.text(of: version) else {
            let kept = store.history().map { "\($0.version)" }
            throw AdminRefusal(
                "version \(version) is not kept on \(me)"
                    + (kept.isEmpty ? " (no version is kept yet)" : " (kept: \(kept.joined(separator: ", ")))"))
        }
        return (version, text)
    }

    /// Where this node keeps its snapshots.
    var snapshotDirectory: String { options.stateDirectory + "/snapshots" }

    public func snapshotSave(name: String) async throws -> String {
        let running = runningVersion
        guard let configuration = running.text else {
            throw AdminRefusal("the running configuration's text is not kept on \(me); nothing was saved")
        }
        let gathered = await withCheckedContinuation { send(.gatherStatus($0)) }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let snapshot = SnapshotFile(
            name: name, taken: formatter.string(from: Date()), node: me, cluster: config.name,
            configVersion: running.version, configuration: configuration, statuses: gathered.statuses)
        let path = snapshotDirectory + "/\(name).snapshot"
        do {
            try FileManager.default.createDirectory(atPath: snapshotDirectory, withIntermediateDirectories: true)
            try snapshot.text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw AdminRefusal("cannot write \(path): \(error.localizedDescription)")
        }
        let answered = snapshot.statuses.filter { $0.json != nil }.map(\.node)
        var message =
            "snapshot \(name) saved in \(path): configuration version \(running.version), status of "
            + answered.joined(separator: ", ")
        if !snapshot.unreachable.isEmpty {
            message += "; unreachable (marked in the snapshot): \(snapshot.unreachable.joined(separator: ", "))"
        }
        return message
    }

    public func clusterStatus() async throws -> [NodeStatus] {
        let gathered = await withCheckedContinuation { send(.gatherStatus($0)) }
        return gathered.statuses.map { node, json in
            NodeStatus(
                node: node, status: json.flatMap { try? JSONDecoder().decode(StatusSnapshot.self, from: Data($0.utf8)) }
            )
        }
    }

    public func snapshotList() async throws -> [SnapshotEntry] {
        KeptFiles.list(in: snapshotDirectory, suffix: ".snapshot").map { file in
            SnapshotEntry(name: file.name, savedAt: file.modified, bytes: file.bytes)
        }.sorted { ($0.savedAt, $0.name) < ($1.savedAt, $1.name) }
    }

    public func snapshotText(name: String) async throws -> String {
        let path = snapshotDirectory + "/\(name).snapshot"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            let kept = try await snapshotList().map(\.name)
            throw AdminRefusal(
                "no snapshot \(name) on \(me)"
                    + (kept.isEmpty ? " (none saved)" : " (saved: \(kept.joined(separator: ", ")))"))
        }
        return text
    }

    public func log(cluster: Bool, lines: Int, follow: Bool) -> AsyncThrowingStream<String, any Error> {
        let path = options.stateDirectory + (cluster ? "/cluster.log" : "/vigil.log")
        return AsyncThrowingStream { continuation in
            let task = Task {
                var offset = 0
                let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
                offset = text.utf8.count
                for line in text.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines) {
                    continuation.yield(String(line))
                }
                while follow && !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(200))
                    guard let handle = FileHandle(forReadingAtPath: path) else { continue }
                    defer { try? handle.close() }
                    try? handle.seek(toOffset: UInt64(offset))
                    let data = (try? handle.readToEnd()) ?? Data()
                    guard let newline = data.lastIndex(of: UInt8(ascii: "\n")) else { continue }
                    let complete = data[data.startIndex...newline]
                    offset += complete.count
                    for line in String(decoding: complete, as: UTF8.self).split(separator: "\n") {
                        continuation.yield(String(line))
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
