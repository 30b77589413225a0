/// What nodes say to each other about the synchronised configuration (`vigil sync`), and the
/// status they gather for a snapshot (`vigil snapshot save`).
public enum ConfigMessage: Sendable, Hashable, Codable, CustomStringConvertible {
    /// "The newest configuration I store is `version`" (0: none), sent to every peer every
    /// `ConfigSync.announceInterval`: a peer with a newer one pushes it.
    case announce(version: UInt64)
    /// One piece of a configuration's text.
    case chunk(ConfigChunk)
    /// The addressee verified and stored `version`.
    case stored(version: UInt64)
    /// The addressee found errors in `version` and kept what it had.
    case rejected(version: UInt64, reason: String)
    /// "Send me your status" for the snapshot `id` (`vigil snapshot save`).
    case statusRequest(id: UInt64)
    /// One piece of the sender's status (JSON), answering `statusRequest` `chunk.version` (the id).
    case statusPart(ConfigChunk)

    /// The version the message is about (0 for the snapshot's messages).
    public var version: UInt64 {
        switch self {
        case .announce(let version), .stored(let version), .rejected(let version, _): version
        case .chunk(let chunk): chunk.version
        case .statusRequest, .statusPart: 0
        }
    }

    public var description: String {
        switch self {
        case .announce(let version): "announce \(version)"
        // `&+`: a received chunk may say any index (it is refused when received, but described first).
        case .chunk(let chunk): "chunk \(chunk.index &+ 1)/\(chunk.count) of version \(chunk.version)"
        case .stored(let version): "stored \(version)"
        case .rejected(let version, let reason): "rejected \(version): \(reason)"
        case .statusRequest(let id): "status request \(id)"
        case .statusPart(let part): "status part \(part.index &+ 1)/\(part.count) of snapshot \(part.version)"
        }
    }
}

/// A piece of a configuration's text: `count` pieces, in order, make the whole.
public struct ConfigChunk: Sendable, Hashable, Codable {
    public var version: UInt64
    public var index: Int
    public var count: Int
    public var text: String

    public init(version: UInt64, index: Int, count: Int, text: String) {
        self.version = version
        self.index = index
        self.count = count
        self.text = text
    }
}

/// The configuration synchronisation of one node, as a pure state machine (no I/O, no clock): it
/// knows the newest configuration this node stores and what each peer announced; it cuts a
/// configuration into chunks, reassembles what arrives, and pushes the newest to a peer that
/// announces an older one (so a node that was down gets it when it comes back). The daemon reads
/// and writes the files, verifies an assembled text (`Output.verify`) and answers with `stored`
/// or `rejected`.
public struct ConfigSync: Sendable {
    public enum Output: Sendable, Hashable {
        case send(to: String, ConfigMessage)
        /// A whole configuration arrived from `from`: verify it, then call `stored` or `rejected`.
        case verify(version: UInt64, text: String, from: String)
    }

    /// The most a chunk's text may take once JSON-encoded: a message stays well under a UDP
    /// datagram and the disk outbox's 48 KiB.
    public static let chunkBudget = 24 * 1024
    /// The largest configuration synchronised (in chunks of `chunkBudget`): 2 MiB of text at most.
    public static let maximumChunks = 96
    /// How often the newest version is announced to every peer, and at most how often it is pushed
    /// to one peer.
    public static let announceInterval: Duration = .seconds(2)
    /// How many assemblies may be open at once; the oldest is dropped past it.
    static let maximumAssemblies = 4
    /// The largest version taken from a peer or the stored file: 2^62, more than any number of
    /// syncs, and far enough from `UInt64.max` that `nextVersion` cannot overflow. A peer's version
    /// above it is ignored; a stored one is read as this.
    public static let largestVersion: UInt64 = 1 << 62

    public let me: String
    public private(set) var peers: [String]
    /// The newest configuration stored on this node (0: none) and its text.
    public private(set) var version: UInt64
    var text: String?
    /// The newest version each peer announced or acknowledged.
    public private(set) var peerVersions: [String: UInt64] = [:]
    var lastPush: [String: Moment] = [:]
    var lastAnnounce: Moment?
    var assemblies: [Assembly] = []

    struct Assembly: Sendable {
        var version: UInt64
        var from: String
        var pieces: [String?]
    }

    public init(me: String, peers: [String], version: UInt64, text: String?) {
        precondition(version == 0 || text != nil, "version \(version) without its text")
        self.me = me
        self.peers = peers.filter { $0 != me }
        self.version = min(version, Self.largestVersion)
        self.text = text
    }

    /// The peers of a new configuration version the cluster runs (a reconfiguration added or
    /// removed nodes): a node it adds gets the newest version at its next announcement.
    public mutating func reconfigure(peers newPeers: [String]) {
        peers = newPeers.filter { $0 != me }
        let known = Set(peers)
        peerVersions = peerVersions.filter { known.contains($0.key) }
        lastPush = lastPush.filter { known.contains($0.key) }
    }

    /// The version a new `vigil sync` gets: above every version known here.
    public var nextVersion: UInt64 { max(version, peerVersions.values.max() ?? 0) + 1 }

    /// Adopts a configuration this node stored (its own sync, or one it verified) and pushes it
    /// to every peer that does not have it.
    public mutating func adopt(version newVersion: UInt64, text newText: String, at now: Moment) -> [Output] {
        precondition(newVersion > version, "version \(newVersion) is not newer than \(version)")
        version = newVersion
        text = newText
        assemblies.removeAll { $0.version <= newVersion }
        return peers.filter { (peerVersions[$0] ?? 0) < newVersion }.flatMap { push(to: $0, at: now) }
    }

    /// The chunks of this node's newest configuration, to `peer`.
    public mutating func push(to peer: String, at now: Moment) -> [Output] {
        guard let text, version > 0 else { return [] }
        lastPush[peer] = now
        let pieces = Self.chunks(of: text)
        return pieces.enumerated().map { index, piece in
            .send(to: peer, .chunk(ConfigChunk(version: version, index: index, count: pieces.count, text: piece)))
        }
    }

    /// Time passed: announce the newest version to `targets` (every peer when `nil`) every
    /// `announceInterval`.
    public mutating func tick(at now: Moment, announcingTo targets: [String]? = nil) -> [Output] {
        if let last = lastAnnounce, now < last + Self.announceInterval { return [] }
        lastAnnounce = now
        let chosen = targets.map { wanted in peers.filter { wanted.contains($0) } } ?? peers
        return chosen.map { .send(to: $0, .announce(version: version)) }
    }

    /// A message from `peer` (the transport authenticated it).
    public mutating func receive(_ message: ConfigMessage, from peer: String, at now: Moment) -> [Output] {
        guard peers.contains(peer), message.version <= Self.largestVersion else { return [] }
        switch message {
        case .announce(let theirs):
            peerVersions[peer] = theirs
            // Pushed at most once an interval: the peer announces again until it has it.
            guard theirs < version, lastPush[peer].map({ now >= $0 + Self.announceInterval }) ?? true else { return [] }
            return push(to: peer, at: now)
        case .stored(let theirs):
            peerVersions[peer] = max(peerVersions[peer] ?? 0, theirs)
            return []
        case .rejected, .statusRequest, .statusPart:
            return []
        case .chunk(let chunk):
            return receive(chunk, from: peer)
        }
    }

    private mutating func receive(_ chunk: ConfigChunk, from peer: String) -> [Output] {
        guard chunk.count > 0, chunk.count <= Self.maximumChunks, (0..<chunk.count).contains(chunk.index) else {
            return []
        }
        if chunk.version <= version {
            // Already here: say so again (the first answer may have been lost).
            return chunk.index == chunk.count - 1 && chunk.version == version
                ? [.send(to: peer, .stored(version: version))] : []
        }
        var slot = assemblies.firstIndex {
            $0.version == chunk.version && $0.from == peer && $0.pieces.count == chunk.count
        }
        if slot == nil {
            assemblies.append(
                Assembly(version: chunk.version, from: peer, pieces: Array(repeating: nil, count: chunk.count)))
            if assemblies.count > Self.maximumAssemblies { assemblies.removeFirst() }
            slot = assemblies.count - 1
        }
        assemblies[slot!].pieces[chunk.index] = chunk.text
        let pieces = assemblies[slot!].pieces
        guard pieces.allSatisfy({ $0 != nil }) else { return [] }
        assemblies.remove(at: slot!)
        return [.verify(version: chunk.version, text: pieces.map { $0! }.joined(), from: peer)]
    }

    /// The daemon verified and stored `version` from `peer`: it becomes the newest here, and is
    /// pushed on to the peers that lack it.
    public mutating func stored(version newVersion: UInt64, text newText: String, from peer: String, at now: Moment)
        -> [Output]
    {
        guard newVersion > version else { return [.send(to: peer, .stored(version: version))] }
        peerVersions[peer] = max(peerVersions[peer] ?? 0, newVersion)
        return [.send(to: peer, .stored(version: newVersion))] + adopt(version: newVersion, text: newText, at: now)
    }

    /// The daemon found errors in `version` from `peer`.
    public func rejected(version: UInt64, reason: String, from peer: String) -> [Output] {
        [.send(to: peer, .rejected(version: version, reason: reason))]
    }

    /// Cuts `text` into pieces whose JSON encoding stays within `budget` bytes, counting the worst
    /// case of each character (`"`, `\`, `/` and common controls take 2 bytes, other controls 6).
    public static func chunks(of text: String, budget: Int = chunkBudget) -> [String] {
        precondition(budget >= 8, "a chunk budget of \(budget) bytes cannot hold a character")
        var pieces: [String] = []
        var current = ""
        var size = 0
        for character in text {
            let cost = character.unicodeScalars.reduce(0) { $0 + encodedSize($1) }
            if size + cost > budget, !current.isEmpty {
                pieces.append(current)
                current = ""
                size = 0
            }
            current.append(character)
            size += cost
        }
        if !current.isEmpty || pieces.isEmpty { pieces.append(current) }
        return pieces
    }

    static func encodedSize(_ scalar: Unicode.Scalar) -> Int {
        switch scalar.value {
        case 0x22, 0x5C, 0x2F, 0x08, 0x09, 0x0A, 0x0C, 0x0D: 2
        case 0..<0x20, 0x7F: 6
        default: String(scalar).utf8.count
        }
    }
}
