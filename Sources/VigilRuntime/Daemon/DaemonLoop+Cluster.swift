import Foundation
import VigilCore
import VigilModel

/// The administrator's cluster-wide commands on the loop: `vigil start|stop --all` (an order to
/// every node through the core) and `vigil sync` (the configuration pushed by `ConfigSync`).
extension DaemonLoop {
    struct ServicesWait {
        var continuation: CheckedContinuation<String, any Error>
        var command: ServicesCommand
        /// What this node did itself.
        var local: String
        var deadline: Moment
        var nextResend: Moment
    }

    /// A sync whose version the coordinator has not granted yet (`AdminRequest.claimConfigVersion`).
    struct SyncClaim {
        var request: UInt64
        var version: UInt64
        var bundle: ConfigBundle
        var source: String
        var continuation: CheckedContinuation<String, any Error>
        var deadline: Moment
    }

    struct SyncWait {
        var version: UInt64
        var continuation: CheckedContinuation<String, any Error>
        var deadline: Moment
        var nextResend: Moment
        var rejected: [String: String] = [:]
        /// The nodes the version goes to: those of the version running when the sync started (a
        /// node the new version adds gets it when it joins).
        var peers: [String]
        /// Once every node stored the version: what the answer says of that, and until when the
        /// sync waits for the cluster to run it (`reconfig`).
        var storedEverywhere: (lines: [String], until: Moment)?
    }

    /// How long `--all` waits for every node's answer, and how often it asks again meanwhile.
    static let servicesTimeout: Duration = .seconds(6)
    static let servicesResend: Duration = .seconds(1)
    /// How long `sync` waits for every node to store the new version, and how often it pushes again.
    static let syncTimeout: Duration = .seconds(10)
    /// How long `sync` then waits for the `reconfig` event to make the version the cluster's.
    static let reconfigTimeout: Duration = .seconds(30)
    static let syncResend: Duration = .seconds(2)

    /// Orders every other node, then starts or stops this one (orders first, so that a stop here
    /// cannot delay them).
    mutating func orderServices(
        _ command: ServicesCommand, _ continuation: CheckedContinuation<String, any Error>, at now: Moment
    ) -> Step {
        let me = daemon.me
        var (id, step) = core.orderServices(command, at: now)
        let local: String
        switch (command, core.phase) {
        case (.start, .stopped):
            local = "starting cluster services on \(me)"
            step.append(core.start(at: now))
        case (.start, .running):
            local = "cluster services already run on \(me)"
        case (.stop(let how), .running):
            local = "stopping cluster services on \(me) (\(how.rawValue))"
            step.append(core.stop(how, at: now))
        case (.stop, .stopped):
            local = "cluster services are not running on \(me)"
        }
        servicesWaiting[id] = ServicesWait(
            continuation: continuation, command: command, local: local,
            deadline: now + Self.servicesTimeout, nextResend: now + Self.servicesResend)
        return step
    }

    /// Answers the `--all` orders every node answered, or whose time is up; asks again the nodes
    /// that have not answered yet.
    mutating func answerServices(at now: Moment) {
        for (id, wait) in servicesWaiting {
            guard let round = core.servicesRounds[id] else {
                // More than `ClusterNode.maximumServicesRounds` at once: the orders went out, the answers were not
                // kept.
                servicesWaiting[id] = nil
                wait.continuation.resume(
                    returning:
                        "\(wait.command) --all: \(wait.local); the other nodes were asked, but their answers were "
                        + "not kept (too many --all orders at once)"
                )
                continue
            }
            if round.unanswered.isEmpty || now >= wait.deadline {
                servicesWaiting[id] = nil
                _ = core.finishServices(id)
                wait.continuation.resume(returning: Self.summary(of: round, local: wait.local, me: daemon.me))
            } else if now >= wait.nextResend {
                servicesWaiting[id]!.nextResend = now + Self.servicesResend
                perform(core.resendServices(id), at: now)
            }
        }
    }

    static func summary(of round: ServicesRound, local: String, me: String) -> String {
        var lines = ["\(round.command) --all: asked \(([me] + round.asked).joined(separator: ", "))", "  \(local)"]
        lines += round.asked.compactMap { round.answers[$0].map { "  \($0.outcome)" } }
        let missing = round.unanswered
        if !missing.isEmpty {
            lines.append(
                "not reached: \(missing.joined(separator: ", ")) (no answer within "
                    + "\(DurationText.format(servicesTimeout)): is vigild running there? run `vigil "
                    + "\(round.command == .start ? "start" : "stop")` on it)"
            )
        }
        return lines.joined(separator: "\n")
    }

    /// The version a sync proposes: after the newest this node stores or heard of, and the newest
    /// the agreed state records for the whole cluster.
    var nextConfigVersion: UInt64 { max(configSync.nextVersion, (core.installed?.configVersion ?? 0) + 1) }

    /// Asks the coordinator for the next configuration version for a verified text; once granted
    /// (`answerSyncClaim`), stores it and pushes it to every node. Two syncs started at once never
    /// take one number: the coordinator grants each number once, in the agreed state.
    mutating func startSync(
        bundle: ConfigBundle, source: String, expectVersion: UInt64?,
        _ continuation: CheckedContinuation<String, any Error>, at now: Moment
    ) -> Step {
        guard syncWaiting == nil, syncClaim == nil else {
            continuation.resume(
                throwing: AdminRefusal("a sync is already under way on \(daemon.me); nothing was changed"))
            return Step()
        }
        // The version expected is checked here first (the coordinator checks it again when it
        // grants), so that a stale sync hears that rather than that the cluster is busy.
        let newest = max(core.installed?.configVersion ?? 0, configSync.version)
        if let expectVersion, expectVersion != newest {
            continuation.resume(
                throwing: AdminRefusal(
                    "the cluster's configuration is version \(newest), not \(expectVersion) as expected "
                        + "(--expect-version); nothing was changed"))
            return Step()
        }
        if let refusal = core.reconfigurationRefusal(at: now) {
            continuation.resume(throwing: AdminRefusal("\(refusal); nothing was changed"))
            return Step()
        }
        let version = nextConfigVersion
        let (id, step) = core.request(.claimConfigVersion(version: version, expecting: expectVersion), at: now)
        syncClaim = SyncClaim(
            request: id, version: version, bundle: bundle, source: source, continuation: continuation,
            deadline: now + Self.requestTimeout)
        return step
    }

    /// Stores and pushes the claimed version once the coordinator granted it and this node installed
    /// the agreed state that records the grant; refuses the sync when it did not, or not in time.
    /// Nothing is stored before.
    mutating func answerSyncClaim(at now: Moment) {
        guard let claim = syncClaim else { return }
        let reply = core.answers.first(where: { $0.id == claim.request })
        if let refusal = reply?.refusal {
            syncClaim = nil
            claim.continuation.resume(throwing: AdminRefusal("\(refusal); nothing was changed"))
            return
        }
        // Granted, and the grant is in the agreed state this node installed: a grant whose state
        // was lost with its coordinator may be given again by the next one, so it is not used.
        let grant = ConfigGrant(version: claim.version, origin: daemon.me, request: claim.request)
        if reply != nil, core.installed?.configGrants.contains(grant) == true {
            syncClaim = nil
            // A later sync's version, granted after this one, may have reached this node first:
            // the newer configuration stays, and this one is not stored.
            guard configSync.version < claim.version else {
                claim.continuation.resume(
                    throwing: AdminRefusal(
                        "configuration version \(claim.version) was granted, but another sync came first: version "
                            + "\(configSync.version) is stored here; nothing was changed"))
                return
            }
            storeAndPush(claim, at: now)
        } else if now >= claim.deadline {
            syncClaim = nil
            claim.continuation.resume(
                throwing: AdminRefusal(
                    "the coordinator did not grant configuration version \(claim.version) within "
                        + "\(DurationText.format(Self.requestTimeout)); nothing was stored"))
        }
    }

    private mutating func storeAndPush(_ claim: SyncClaim, at now: Moment) {
        do {
            try configStore.write(version: claim.version, text: claim.bundle.configuration)
        } catch {
            claim.continuation.resume(throwing: error)
            return
        }
        let files = claim.bundle.files.map(\.path)
        daemon.logs.event(
            "configuration version \(claim.version) (from \(claim.source)) stored; pushing it to every node"
                + (files.isEmpty ? "" : " with \(files.joined(separator: ", "))"))
        carryOut(configSync.adopt(version: claim.version, text: claim.bundle.text, at: now), at: now)
        syncWaiting = SyncWait(
            version: claim.version, continuation: claim.continuation, deadline: now + Self.syncTimeout,
            nextResend: now + Self.syncResend, peers: configSync.peers)
    }

    /// Answers the sync once every node stored its version and the cluster runs it (`reconfig`), or
    /// when its time is up; pushes the version again meanwhile to the nodes that lack it.
    mutating func answerSync(at now: Moment) {
        guard let wait = syncWaiting else { return }
        if let stored = wait.storedEverywhere {
            let state = core.installed
            var running = (state?.activeConfigVersion ?? 0) >= wait.version && state?.pendingConfigVersion == nil
            if case .reconfig(let version)? = state?.currentEvent?.event, version == wait.version { running = false }
            guard running || now >= stored.until else { return }
            syncWaiting = nil
            var lines = stored.lines
            if running {
                lines.append(
                    "configuration version \(wait.version) runs on every member: reconfig \(wait.version) completed, "
                        + "no vigild restarted")
            } else {
                let why = core.reconfigurationRefusal(at: now) ?? "the cluster has not started it yet"
                lines.append(
                    "configuration version \(wait.version) is not running yet (\(why)): the cluster runs it with "
                        + "reconfig \(wait.version) as soon as it is stable; `vigil status` shows the version")
            }
            wait.continuation.resume(returning: lines.joined(separator: "\n"))
            return
        }
        // Once the cluster runs the version, a node it removes is no longer waited for: the version
        // ran, so every member had stored it, and its acknowledgement may have come after this node
        // stopped counting it as a peer.
        let runs = (core.installed?.activeConfigVersion ?? 0) >= wait.version
        let peers = wait.peers.filter { !runs || core.config.node(named: $0) != nil }
        let stored = peers.filter { (configSync.peerVersions[$0] ?? 0) >= wait.version }
        let pending = peers.filter { !stored.contains($0) && wait.rejected[$0] == nil }
        guard pending.isEmpty || now >= wait.deadline else {
            if now >= wait.nextResend {
                syncWaiting!.nextResend = now + Self.syncResend
                for peer in pending { carryOut(configSync.push(to: peer, at: now), at: now) }
            }
            return
        }
        var lines = [
            "configuration version \(wait.version) stored on \(([daemon.me] + stored).joined(separator: ", "))"
        ]
        for (peer, reason) in wait.rejected.sorted(by: { $0.key < $1.key }) {
            lines.append("refused by \(peer): \(reason)")
        }
        if pending.isEmpty && wait.rejected.isEmpty {
            syncWaiting!.storedEverywhere = (lines, now + Self.reconfigTimeout)
            answerSync(at: now)
            return
        }
        syncWaiting = nil
        if !pending.isEmpty {
            lines.append(
                "not reached yet: \(pending.joined(separator: ", ")) (each gets version \(wait.version) as soon as "
                    + "it is heard again)"
            )
        }
        lines.append(
            "the cluster runs version \(wait.version) (reconfig \(wait.version)) once every member of the view stores "
                + "it; a node out of the view runs it when it joins")
        wait.continuation.resume(returning: lines.joined(separator: "\n"))
    }

    /// What syncing a configuration would change: its difference from the running one, what each
    /// group would do from the agreed state, and what verify finds. Changes nothing.
    func preview(_ input: SyncPreviewInput) -> SyncPreview {
        let (loaded, loadFindings) = ConfigLoader.load(yaml: input.text, file: input.source)
        var findings = loadFindings
        if let loaded { findings += Verifier.verify(loaded) }
        let errors = findings.filter { $0.severity == .error }.count
        let warnings = findings.count - errors
        var refusal: String?
        if errors > 0 {
            refusal = "\(input.source) has \(errors) error\(errors == 1 ? "" : "s")"
        } else if let id = loaded?.config.id, id != daemon.config.id {
            refusal =
                "the cluster id is \(id), not \(daemon.config.id) as the running cluster's: it cannot change by sync"
        } else if let loaded, let broken = HeartbeatContinuity.refusal(from: core.config, to: loaded.config) {
            refusal = broken
        } else if case .failure(let problem) = input.carried {
            refusal = "\(problem)"
        } else if syncWaiting != nil || syncClaim != nil {
            refusal = "a sync is already under way on \(daemon.me)"
        } else if let live = core.reconfigurationRefusal(at: daemon.now) {
            refusal = live
        }
        var preview = loaded.map {
            ReconfigurationPreview(
                from: core.config, to: $0.config, state: core.installed, fromVersion: core.versions.running,
                toVersion: nextConfigVersion)
        }
        if configSync.version > core.versions.running {
            preview?.notes.append(
                "version \(configSync.version) is stored here but not running yet: the difference is from the running "
                    + "version \(core.versions.running)")
        }
        preview?.notes.append(
            "a sync stores version \(nextConfigVersion) on every node, then the cluster runs it live (reconfig "
                + "\(nextConfigVersion)): no vigild restarts")
        return SyncPreview(
            source: input.source, preview: preview, findings: findings.map(\.description), errors: errors,
            warnings: warnings, refusal: refusal, carried: (try? input.carried.get()) ?? [])
    }

    /// A configuration message from a peer, in any phase of cluster services.
    mutating func receiveConfig(_ message: ConfigMessage, in envelope: Envelope, at now: Moment) {
        guard envelope.clusterID == daemon.config.id, envelope.to == daemon.me,
            envelope.protocolVersion == vigilProtocolVersion
        else { return }
        switch message {
        case .statusRequest(let id):
            answerStatusRequest(id, from: envelope.from, at: now)
            return
        case .statusPart(let part):
            receiveStatusPart(part, from: envelope.from)
            return
        default:
            break
        }
        if case .rejected(let version, let reason) = message, syncWaiting?.version == version {
            syncWaiting!.rejected[envelope.from] = reason
        }
        carryOut(configSync.receive(message, from: envelope.from, at: now), at: now)
    }

    /// Sends what `ConfigSync` says, and verifies and stores what it assembled.
    mutating func carryOut(_ outputs: [ConfigSync.Output], at now: Moment) {
        for output in outputs {
            switch output {
            case .send(let peer, let message):
                send([core.directMessage(to: peer, .config(message), at: now)])
            case .verify(let version, let text, let peer):
                let bundle = ConfigBundle(reading: text)
                switch ConfigStore.verify(
                    bundle.configuration, file: "configuration version \(version) from \(peer)",
                    clusterID: daemon.config.id)
                {
                case .success:
                    do {
                        if let problem = bundle.problem(under: daemon.options.filesDirectory) {
                            throw ConfigBundleError(problem)
                        }
                        let written = try bundle.write()
                        if !written.isEmpty {
                            let paths = written.joined(separator: ", ")
                            daemon.logs.event("configuration version \(version) from \(peer): wrote \(paths)")
                        }
                        try configStore.write(version: version, text: bundle.configuration)
                    } catch {
                        daemon.logs.event("configuration version \(version) from \(peer) not stored: \(error)")
                        carryOut(configSync.rejected(version: version, reason: "\(error)", from: peer), at: now)
                        continue
                    }
                    daemon.logs.event(
                        "configuration version \(version) from \(peer) verified and stored in \(configStore.path); "
                            + "the cluster runs it with reconfig \(version)"
                    )
                    carryOut(configSync.stored(version: version, text: text, from: peer, at: now), at: now)
                case .failure(let error):
                    daemon.logs.event("configuration version \(version) from \(peer) refused: \(error)")
                    carryOut(configSync.rejected(version: version, reason: "\(error)", from: peer), at: now)
                }
            }
        }
    }
}
