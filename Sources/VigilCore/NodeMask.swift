import VigilModel

/// A set of the cluster's nodes as bits in configured order: what a heartbeat says of the sender's
/// direct neighbours (`Heartbeat.links`) in a few bytes, whatever the names' length. The
/// configuration allows at most 255 nodes, so it is at most four words.
public struct NodeMask: Sendable, Hashable, Codable {
    /// Bit `i % 64` of word `i / 64` stands for the node of rank `i`.
    public var words: [UInt64]

    /// The most words a mask may have (255 nodes).
    public static let maximumWords = 4

    public init(words: [UInt64] = []) { self.words = words }

    /// The mask of `nodes` (names not in `config` are left out).
    public init(_ nodes: some Sequence<String>, in config: ClusterConfig) {
        var words: [UInt64] = []
        for node in nodes {
            guard let rank = config.rank(of: node) else { continue }
            let word = rank / 64
            while words.count <= word { words.append(0) }
            words[word] |= 1 << UInt64(rank % 64)
        }
        self.words = words
    }

    /// The nodes of `config` in the mask, in configured order (bits past the last node are ignored).
    public func nodes(in config: ClusterConfig) -> [String] {
        config.nodes.enumerated().compactMap { rank, node in
            let word = rank / 64
            guard word < words.count, words[word] & (1 << UInt64(rank % 64)) != 0 else { return nil }
            return node.name
        }
    }

    public var isEmpty: Bool { words.allSatisfy { $0 == 0 } }
}
