import VigilCore
import VigilModel

/// The daemon's side of a live reconfiguration: the core runs a new configuration version
/// (`Step.Work.runConfiguration`), and the daemon follows with what it runs from it.
extension DaemonLoop {
    /// Runs configuration `version`, which the core runs already: the address book and routes at
    /// once (the next packets go by them), sockets for this node's added adapters, and the host's
    /// drivers and hooks in the host worker's order (`HostWorkQueue`).
    mutating func runConfiguration(_ version: UInt64) {
        let config = core.config
        let me = daemon.me
        let text = configStore.text(of: version)
        let before = daemon.running.withLock { running in
            let before = running.config
            // Nodes the version removes stay in the address book: the state that makes the version
            // active must still reach them (it tells them to stop); nothing is taken from them.
            var routing = config
            routing.nodes += before.nodes.filter { config.node(named: $0.name) == nil }
            running.version = version
            running.config = config
            running.text = text
            running.book = AddressBook(config: routing)
            running.routes = Routes(book: running.book, port: daemon.options.port)
            return before
        }
        let opened = Set(transport.localAddresses)
        let added = daemon.book.endpoints(of: me).filter { !opened.contains($0.address) }
        for endpoint in added {
            let (transport, logs) = (transport, daemon.logs)
            let started = daemon.jobs.submit {
                do {
                    try await transport.open(endpoint)
                    logs.event("listening on \(endpoint) (configuration version \(version))")
                } catch {
                    logs.event("ERROR: cannot listen on \(endpoint): \(error)")
                }
            }
            if !started { logs.event("ERROR: cannot listen on \(endpoint) now: too many jobs are running") }
        }
        disks.reconfigure(to: config)
        if before.tuning.tripInterval != config.tuning.tripInterval {
            daemon.logs.event(
                "tuning.trip_interval changed: the watchdog keeps \(DurationText.format(before.tuning.tripInterval)) "
                    + "until the next start of vigild")
        }
        if before.tuning.hardwareWatchdog != config.tuning.hardwareWatchdog, daemon.options.watchdogDevice != nil {
            let kept = before.tuning.hardwareWatchdog.map(DurationText.format) ?? "none"
            daemon.logs.event(
                "WARNING: tuning.hardware_watchdog changed: the device keeps its timeout (\(kept)) until the next "
                    + "start of vigild, while takeovers count the new one; restart vigild on every node")
        }
        configSync.reconfigure(peers: config.nodes.map(\.name))
        hostWork.add(version: version, config)
    }
}
