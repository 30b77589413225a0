import VigilCore
import VigilModel

/// One simulated machine (a reference: the simulator changes it in place): the core running on it (if cluster services
/// run), the resources it really has, and what it logged.
public final class SimHost {
    public let name: String
    /// The running core; `nil` while cluster services are stopped or the host is down.
    public internal(set) var core: ClusterNode?
    /// What the host really has configured.
    public internal(set) var resources = HostResources()
    /// Whether the host is up (a crashed host is down until restarted).
    public internal(set) var isUp = true
    /// Until when the host is paused (its daemon not scheduled): it receives, acts and wakes late.
    public internal(set) var pausedUntil: Moment?
    public internal(set) var incarnations: UInt64 = 0
    /// Everything the core logged, in order.
    public internal(set) var log: [LogRecord] = []
    /// Every hook invocation the core asked for, in order.
    public internal(set) var hooks: [HookInvocation] = []
    var wakeGeneration: UInt64 = 0
    /// When the daemon last ran (fed its watchdog).
    var lastRan: Moment = .zero
    /// The dead man switch fired while the daemon was paused; the daemon learns it when it runs again.
    var tripped = false
    /// Batches in flight: the actions still to complete.
    var inFlight: [UInt64: ActionBatch] = [:]
    /// What the host's dead man switch would release now: the core's latest `Step.protect`.
    public internal(set) var protection = Protection()
    /// The incarnation the core last asked to persist.
    public internal(set) var persistedIncarnation: UInt64?

    /// The newest configuration version stored on the host's disk (0: the first configuration).
    public internal(set) var storedConfigVersion: UInt64 = 0

    init(name: String) { self.name = name }

    /// The cluster log lines (the seed's cluster.log) of this host.
    public var clusterLog: [LogRecord] { log.filter { $0.destination == .cluster } }

    /// The holdings a restarted daemon reads back from the host (what the drivers would find).
    func readBack(config: ClusterConfig) -> Holdings {
        var holdings = Holdings()
        for group in config.resourceGroups where resources.holdsAnything(of: group) {
            let adapters = resources.addresses.filter { group.serviceAddresses.contains($0.key) }
            let complete = resources.holdsAll(of: group)
            holdings.groups[group.name] = GroupHolding(
                state: complete ? .online : .error, addressAdapters: adapters,
                failure: complete ? nil : GroupFailure(.found, "acquire found incomplete after restart"))
        }
        let own = Set(config.node(named: name)?.interfaces.filter { $0.role == .service }.map(\.label) ?? [])
        holdings.ownAddresses = resources.addresses.filter { own.contains($0.key) }
        return holdings
    }
}
