import VigilModel

/// The configurations a node can run: the one it runs now and the newer ones it stores but does not
/// run yet (`vigil sync` stored them; the cluster activates one with a `reconfig` event). Every node
/// of a view runs the version the agreed state names (`ClusterState.activeConfigVersion`).
public struct ConfigVersions: Sendable {
    /// The version running (0: the configuration file, never synchronised) and its configuration.
    public private(set) var running: UInt64
    public private(set) var config: ClusterConfig
    /// Stored versions newer than the running one, by version.
    private(set) var staged: [UInt64: ClusterConfig] = [:]

    /// How many stored versions are kept waiting for their reconfiguration; the oldest goes first.
    static let stagedLimit = 4

    public init(running: UInt64, config: ClusterConfig) {
        self.running = running
        self.config = config
    }

    /// The newest version stored here (running or staged).
    public var newest: UInt64 { staged.keys.max().map { max($0, running) } ?? running }

    /// The configuration of `version`, if this node has it.
    public func config(for version: UInt64) -> ClusterConfig? {
        version == running ? config : staged[version]
    }

    /// Keeps a stored version for its reconfiguration (one not newer than the running one is
    /// not needed).
    mutating func stage(_ version: UInt64, _ config: ClusterConfig) {
        guard version > running else { return }
        staged[version] = config
        while staged.count > Self.stagedLimit, let oldest = staged.keys.min() { staged[oldest] = nil }
    }

    /// Runs `version` (which this node has): versions older than it are forgotten.
    mutating func run(_ version: UInt64) {
        guard let next = config(for: version) else { return }
        running = version
        config = next
        staged = staged.filter { $0.key > version }
    }
}
