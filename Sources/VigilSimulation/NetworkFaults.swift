import VigilModel

/// The state of the simulated networks: conditions per network (loss, delay, duplication),
/// partitions per network, and failed adapters per node (an adapter of a disk network that fails is
/// a node that can no longer reach the shared disk).
public struct NetworkFaults: Sendable, Hashable {
    /// Conditions of one network.
    public struct Conditions: Sendable, Hashable {
        /// Probability that a message is lost (0...1).
        public var loss: Double = 0
        /// Probability that a delivered message is delivered twice.
        public var duplication: Double = 0
        /// One-way delay, drawn uniformly between the two.
        public var minDelay: Duration = .microseconds(100)
        public var maxDelay: Duration = .milliseconds(2)

        public init(
            loss: Double = 0, duplication: Double = 0, minDelay: Duration = .microseconds(100),
            maxDelay: Duration = .milliseconds(2)
        ) {
            self.loss = loss
            self.duplication = duplication
            self.minDelay = minDelay
            self.maxDelay = maxDelay
        }
    }

    public var conditions: [String: Conditions] = [:]
    /// Per network: the side each node is on. Nodes on different sides cannot talk on that network.
    public var partitions: [String: [String: Int]] = [:]
    /// Failed adapters, as `node/adapter`.
    public var failedAdapters: Set<String> = []
    /// One-way cuts: nothing goes from `from` to `to` on `network` (a partial partition is two of
    /// them, one each way; one alone is one-way loss).
    public var cuts: Set<Cut> = []

    /// Nothing goes from one node to another on one network.
    public struct Cut: Sendable, Hashable {
        public var from: String
        public var to: String
        public var network: String

        public init(from: String, to: String, network: String) {
            self.from = from
            self.to = to
            self.network = network
        }
    }

    public init() {}

    public func conditions(of network: String) -> Conditions { conditions[network] ?? Conditions() }

    public func isUp(_ adapter: String, of node: String) -> Bool { !failedAdapters.contains("\(node)/\(adapter)") }

    public func sameSide(_ a: String, _ b: String, on network: String) -> Bool {
        guard let sides = partitions[network] else { return true }
        return sides[a, default: 0] == sides[b, default: 0]
    }

    /// Whether a message can go from `a` to `b` on `network` through the given adapters (any working
    /// pair when `nil`).
    public func connects(
        _ a: String, _ fromAdapter: String?, to b: String, _ toAdapter: String?, on network: String,
        config: ClusterConfig
    ) -> Bool {
        guard sameSide(a, b, on: network), !cuts.contains(Cut(from: a, to: b, network: network)),
            let nodeA = config.node(named: a), let nodeB = config.node(named: b)
        else { return false }
        let fromOK = fromAdapter.map { isUp($0, of: a) } ?? nodeA.adapters(on: network).contains { isUp($0, of: a) }
        let toOK = toAdapter.map { isUp($0, of: b) } ?? nodeB.adapters(on: network).contains { isUp($0, of: b) }
        return fromOK && toOK
    }

    /// Whether every fault is gone.
    public var isHealed: Bool {
        partitions.isEmpty && failedAdapters.isEmpty && cuts.isEmpty
            && conditions.values.allSatisfy { $0.loss == 0 && $0.duplication == 0 }
    }
}
