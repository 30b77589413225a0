import VigilCore
import VigilModel

/// What the daemon runs from its configuration, swapped whole when the cluster runs a new version
/// (a `reconfig` event, `Step.Work.runConfiguration`): the configuration, the address book and its
/// routes, the host's drivers and the hooks. The loop and the host worker read it; the host worker
/// swaps the drivers and hooks in the order of its work, so that no batch queued before the swap
/// runs with the new definitions, and none queued after it with the old.
struct RunningConfiguration: Sendable {
    var version: UInt64
    var config: ClusterConfig
    /// The configuration's text, when this node keeps it (the file it started from, or a synced version).
    var text: String?
    var book: AddressBook
    var routes: Routes
    var host: HostDriver
    var hooks: HookRunner
}

extension ApplicationDriver {
    /// Runs `config` from now (the host worker's part of a reconfiguration): applications are
    /// started, stopped and checked by its definitions.
    public func reconfigure(to config: ClusterConfig) { self.config = config }
}
