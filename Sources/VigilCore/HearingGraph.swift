import VigilModel

/// Who hears whom among the cluster's nodes, as rows of bits in configured order: row `i` holds the
/// nodes node `i` hears. The one graph walk of membership (`ClusterNode.reachable`,
/// `ClusterNode.firstHops`), NETPAR (`Coordination`) and the simulator's liveness rule; bits keep it
/// cheap at 64 nodes and more, where sets of names made it the simulator's and the daemon's hottest
/// code.
public struct HearingGraph: Sendable {
    /// The nodes' names in configured order (their ranks).
    let names: [String]
    private let ranks: [String: Int]
    private var rows: [[UInt64]]
    private let wordCount: Int

    /// No node hears anyone yet.
    public init(config: ClusterConfig) {
        names = config.nodes.map(\.name)
        var ranks: [String: Int] = [:]
        ranks.reserveCapacity(names.count)
        for (rank, name) in names.enumerated() { ranks[name] = rank }
        self.ranks = ranks
        wordCount = (names.count + 63) / 64
        rows = Array(repeating: Array(repeating: 0, count: wordCount), count: names.count)
    }

    func rank(of name: String) -> Int? { ranks[name] }

    /// `node` hears every node in `heard` (names not in the cluster are left out).
    public mutating func add(_ node: String, hears heard: some Sequence<String>) {
        guard let row = ranks[node] else { return }
        for name in heard {
            guard let bit = ranks[name] else { continue }
            rows[row][bit / 64] |= 1 << UInt64(bit % 64)
        }
    }

    /// `a` and `b` hear each other.
    public mutating func link(_ a: String, _ b: String) {
        add(a, hears: [b])
        add(b, hears: [a])
    }

    /// `node` hears the nodes of `mask` (`Heartbeat.links`), itself left out.
    mutating func add(_ node: String, hears mask: NodeMask) {
        guard let row = ranks[node] else { return }
        for word in 0..<min(wordCount, mask.words.count) { rows[row][word] |= mask.words[word] }
        rows[row][row / 64] &= ~(1 << UInt64(row % 64))
    }

    /// The ranks `rank` hears, in configured order.
    func heard(by rank: Int) -> [Int] {
        var heard: [Int] = []
        for word in 0..<wordCount {
            var bits = rows[rank][word]
            while bits != 0 {
                let bit = bits.trailingZeroBitCount
                let peer = word * 64 + bit
                if peer < names.count { heard.append(peer) }
                bits &= bits - 1
            }
        }
        return heard
    }

    /// Every node `start` reaches by following who hears whom out of nodes already reached, `start`
    /// included (what an unreached node claims leads nowhere).
    public func component(from start: String) -> Set<String> {
        guard let first = ranks[start] else { return [start] }
        var seen = Array(repeating: false, count: names.count)
        seen[first] = true
        var queue = [first]
        var reached: Set<String> = [start]
        while let node = queue.popLast() {
            for peer in heard(by: node) where !seen[peer] {
                seen[peer] = true
                reached.insert(names[peer])
                queue.append(peer)
            }
        }
        return reached
    }
}
