import VigilCore
import VigilModel

/// Watches the applications of the groups this node holds online: each monitor runs every
/// `monitor_interval`; a failing application is restarted on the spot up to `restart_count` times,
/// and then its group is reported failed to the core, which moves it to another node.
struct ApplicationMonitor {
    let daemon: NodeDaemon
    private var lastCheck: [String: ContinuousClock.Instant] = [:]
    private var restarts: [String: Int] = [:]

    init(daemon: NodeDaemon) { self.daemon = daemon }

    mutating func run() async {
        // A cluster without monitored applications has nothing to look at, ever (a configuration
        // change takes a restart of the daemon): no wake four times a second for nothing.
        guard daemon.config.applications.contains(where: { $0.monitor != nil }) else { return }
        while !Task.isCancelled {
            await checkDue()
            try? await Task.sleep(for: .milliseconds(250))
        }
    }

    private mutating func checkDue() async {
        let online = daemon.onlineGroups()
        let config = daemon.config
        let applications = daemon.host.applications
        for name in online {
            guard let group = config.group(named: name) else { continue }
            for appName in group.applications {
                guard let application = config.application(named: appName), application.monitor != nil else { continue }
                let now = ContinuousClock.now
                if let last = lastCheck[appName], last.duration(to: now) < application.monitorInterval { continue }
                lastCheck[appName] = now
                guard case .failing(let why) = await applications.check(application) else {
                    continue
                }
                // The group may have been released while the monitor ran.
                guard daemon.onlineGroups().contains(name) else { continue }
                let used = restarts[appName, default: 0]
                if used < application.restartCount {
                    restarts[appName] = used + 1
                    daemon.logs.event(
                        "application \(appName) of \(name) failed its monitor (\(why)): restart \(used + 1) of "
                            + "\(application.restartCount)"
                    )
                    // One operation of the driver: no release's stop can come between the stop and
                    // the start, and the start happens only while the group is still online here.
                    let daemon = daemon
                    switch await applications.restart(appName, while: { daemon.onlineGroups().contains(name) }) {
                    case .failure(let failure): daemon.logs.event("restarting \(appName) failed: \(failure.reason)")
                    case nil: daemon.logs.event("\(appName) not restarted: \(name) is no longer online here")
                    case .success: break
                    }
                } else {
                    restarts[appName] = 0
                    daemon.send(
                        .resourceFailed(
                            group: name,
                            reason:
                                "application \(appName) failed its monitor after \(application.restartCount) "
                                + "restarts: \(why)"
                        ))
                }
            }
        }
        for appName in Array(restarts.keys)
        where !online.contains(where: { config.group(named: $0)?.applications.contains(appName) ?? false }) {
            restarts[appName] = nil
        }
    }
}
