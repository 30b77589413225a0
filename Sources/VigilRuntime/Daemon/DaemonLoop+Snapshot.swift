import Foundation
import VigilCore

/// `vigil snapshot save`: the daemon asks every other node for its status over the cluster's
/// channel (`ConfigMessage.statusRequest`), each answers with its `StatusSnapshot` as JSON in
/// pieces (`statusPart`), and the snapshot is written once every node answered or
/// `gatheringTimeout` passed; a node that did not answer is marked unreachable, not waited on.
struct StatusGathering {
    var id: UInt64
    var continuation: CheckedContinuation<GatheredStatus, Never>
    var deadline: Moment
    var nextAsk: Moment
    var mine: String
    /// Each peer's pieces as they arrive, and the whole JSON once all did.
    var pieces: [String: [String?]] = [:]
    var answers: [String: String] = [:]
}

extension DaemonLoop {
    /// How long a snapshot waits for the other nodes' status, and how often it asks again.
    static let gatheringTimeout: Duration = .seconds(3)
    static let gatheringResend: Duration = .seconds(1)

    mutating func startGathering(_ continuation: CheckedContinuation<GatheredStatus, Never>, at now: Moment) {
        // One at a time: a second `snapshot save` while one gathers waits for the first's answer
        // by getting the same statuses (cheap, and never two gatherings crossing their pieces).
        if let running = gathering {
            gathering = nil
            running.continuation.resume(returning: result(of: running))
        }
        let id =
            UInt64(now.sinceOrigin.components.seconds) << 20 ^ UInt64(truncatingIfNeeded: Int.random(in: 0..<(1 << 20)))
        gathering = StatusGathering(
            id: id, continuation: continuation, deadline: now + Self.gatheringTimeout,
            nextAsk: now + Self.gatheringResend, mine: Self.json(gatheredStatus(at: now)))
        askForStatus(at: now)
    }

    private mutating func askForStatus(at now: Moment) {
        guard let gathering else { return }
        for peer in configSync.peers where gathering.answers[peer] == nil {
            send([core.directMessage(to: peer, .config(.statusRequest(id: gathering.id)), at: now)])
        }
    }

    /// Another node's snapshot asks for this node's status: sent in pieces, each well under a datagram.
    mutating func answerStatusRequest(_ id: UInt64, from peer: String, at now: Moment) {
        guard configSync.peers.contains(peer) else { return }
        let pieces = ConfigSync.chunks(of: Self.json(gatheredStatus(at: now)))
        guard pieces.count <= ConfigSync.maximumChunks else { return }
        for (index, piece) in pieces.enumerated() {
            let part = ConfigChunk(version: id, index: index, count: pieces.count, text: piece)
            send([core.directMessage(to: peer, .config(.statusPart(part)), at: now)])
        }
    }

    mutating func receiveStatusPart(_ part: ConfigChunk, from peer: String) {
        guard var running = gathering, running.id == part.version, configSync.peers.contains(peer),
            running.answers[peer] == nil, (1...ConfigSync.maximumChunks).contains(part.count),
            (0..<part.count).contains(part.index)
        else { return }
        var pieces = running.pieces[peer] ?? Array(repeating: nil, count: part.count)
        if pieces.count != part.count { pieces = Array(repeating: nil, count: part.count) }
        pieces[part.index] = part.text
        if pieces.allSatisfy({ $0 != nil }) {
            running.answers[peer] = pieces.map { $0! }.joined()
            running.pieces[peer] = nil
        } else {
            running.pieces[peer] = pieces
        }
        gathering = running
    }

    /// Answers the snapshot once every node answered or its time is up; asks again meanwhile.
    mutating func answerGathering(at now: Moment) {
        guard let running = gathering else { return }
        let complete = configSync.peers.allSatisfy { running.answers[$0] != nil }
        guard complete || now >= running.deadline else {
            if now >= running.nextAsk {
                gathering!.nextAsk = now + Self.gatheringResend
                askForStatus(at: now)
            }
            return
        }
        gathering = nil
        running.continuation.resume(returning: result(of: running))
    }

    private func result(of gathering: StatusGathering) -> GatheredStatus {
        GatheredStatus(
            statuses: daemon.config.nodes.map { node in
                (node.name, node.name == daemon.me ? gathering.mine : gathering.answers[node.name])
            })
    }

    /// This node's status with the files its configuration names, for a gathering.
    private func gatheredStatus(at now: Moment) -> StatusSnapshot {
        var status = statusSnapshot(at: now)
        status.files = FileDigest.describe(core.config.namedFiles)
        status.recentEvents = (core.installed?.events ?? []).map { record in
            "event \(record.number): \(record.event)\(record.completed == nil ? " (running)" : "")"
        }
        return status
    }

    static func json(_ snapshot: StatusSnapshot) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(snapshot)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
