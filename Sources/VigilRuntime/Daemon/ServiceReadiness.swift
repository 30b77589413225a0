import VigilCore
import VigilModel

/// What the daemon tells the service manager about itself after each input of its loop
/// (`ServiceManagerNotifier.report`): whether it has settled, and a status line.
///
/// The daemon is ready (`READY=1`, sent once) when it knows where it stands:
/// - it is a member of an installed view (quorate or not: a member without quorum says so);
/// - cluster services are not running and nothing will start them by itself: vigild without
///   `--start`, waiting for `vigil start`, or stopped by `vigil stop`;
/// - it lost every network (disconnected) and stays out until they return.
///
/// It is not ready while `--start` has not been applied yet, and while cluster services run but
/// no view has taken it in (joining).
struct ServiceReadiness: Sendable, Equatable {
    /// What the status depends on, read from the core after every input; the status line is
    /// made only when these change (the loop handles thousands of packets a second).
    struct Facts: Sendable, Equatable {
        enum Standing: Sendable, Equatable {
            /// `--start` was given and the loop has not applied it yet.
            case startPending
            /// Cluster services do not run; `hasRun`: they ran since the daemon started.
            case notRunning(hasRun: Bool)
            case disconnected
            case joining
            /// A member of view `epoch`; `quorate`: `nil` under the `none` quorum policy.
            case member(epoch: UInt64, up: Int, quorate: Bool?, stable: Bool, onlineGroups: Int)
        }

        var standing: Standing
        var nodes: Int
    }

    var ready: Bool
    var status: String
}

extension ServiceReadiness {
    /// What to tell the service manager for `facts`.
    init(_ facts: Facts) {
        switch facts.standing {
        case .startPending:
            (ready, status) = (false, "starting cluster services (--start)")
        case .notRunning(let hasRun):
            (ready, status) = (
                true, hasRun ? "cluster services stopped: run vigil start" : "not started: run vigil start"
            )
        case .disconnected:
            (ready, status) = (true, "disconnected: every network of this node is lost")
        case .joining:
            (ready, status) = (false, "joining: waiting for a view")
        case .member(let epoch, let up, let quorate, let stable, let online):
            let members = "\(up) of \(facts.nodes) nodes up"
            let event = stable ? "" : ", event running"
            let groups = "\(online) group\(online == 1 ? "" : "s") online here"
            ready = true
            switch quorate {
            case false?: status = "out of quorum: view \(epoch), \(members)\(event), \(groups)"
            case true?: status = "view \(epoch), \(members), quorate\(event), \(groups)"
            case nil: status = "view \(epoch), \(members), no quorum policy\(event), \(groups)"
            }
        }
    }
}

extension ServiceReadiness.Facts {
    /// The facts of the node whose core is `core`, at `now`.
    /// - Parameters:
    ///   - startPending: `--start` was given and the loop has not applied it yet.
    ///   - hasRun: cluster services ran on this node since the daemon started.
    init(core: ClusterNode, at now: Moment, startPending: Bool, hasRun: Bool) {
        nodes = core.config.nodes.count
        guard core.phase == .running else {
            standing = startPending ? .startPending : .notRunning(hasRun: hasRun)
            return
        }
        guard let view = core.installed, view.up.contains(core.me) else {
            standing = core.topology.isDisconnected(at: now) ? .disconnected : .joining
            return
        }
        let online = core.holdings.groups.values.reduce(0) { $0 + ($1.state == .online ? 1 : 0) }
        standing = .member(
            epoch: view.epoch, up: view.up.count,
            quorate: core.config.quorum == .none ? nil : core.hasLease(at: now), stable: view.isStable,
            onlineGroups: online)
    }
}
