/// The failure detection times that follow from a configuration's tuning, so that nobody has to work
/// out the timeout arithmetic: per network, `interval × missed beats`; per node, the slowest of its
/// networks (a node is declared down only once every path to it is lost); and how long survivors
/// wait before they take over from a node (`takeoverWait`).
public struct DetectionTimes: Sendable, Equatable {
    /// One network's heartbeat and the silence after which a path on it is declared lost.
    public struct NetworkTime: Sendable, Equatable {
        public var network: String
        public var type: String
        public var heartbeat: HeartbeatSettings
        public var detection: Duration { heartbeat.detectionTime }
    }

    /// How long after a node stops it is declared down: the slowest detection among its networks.
    public struct NodeTime: Sendable, Equatable {
        public var node: String
        public var detection: Duration
    }

    /// In configured network order.
    public var networks: [NetworkTime]
    /// In configured node order; nodes without any network are left out.
    public var nodes: [NodeTime]
    /// The dead man switch's trip interval (`tuning.dead_man_switch`).
    public var tripInterval: Duration
    /// The largest heartbeat interval among the IP networks (`ClusterConfig.largestIPHeartbeatInterval`).
    public var largestIPInterval: Duration
    /// How long a node that lost quorum has to release before its watchdog halts it.
    public var releaseAllowance: Duration
    /// The hardware watchdog's timeout (`tuning.hardware_watchdog`), when one is configured.
    public var hardwareWatchdog: Duration?
    /// The tuning preset the settings started from.
    public var preset: TuningPreset
    /// How many ring neighbours each node heartbeats on an IP network in a large view
    /// (`tuning.observers`), and how many nodes the cluster has.
    public var observers: Int
    public var clusterSize: Int
    /// Whether a view of every node beats in rings (more than `observers + 1` nodes).
    public var monitorsInRings: Bool { Tuning.monitorsInRings(members: clusterSize, observers: observers) }
    /// In a ring, a member's lease is confirmed by its coordinator: a takeover from nodes cut off
    /// together with the coordinator that confirmed them waits one trip interval more.
    public var takeoverWaitBehindCoordinator: Duration { takeoverWait + tripInterval }
    /// How long after survivors last heard a node they wait before taking over its groups:
    /// `tripInterval + largestIPInterval + max(releaseAllowance, hardwareWatchdog)` (see
    /// `ClusterConfig.takeoverWait`).
    public var takeoverWait: Duration {
        tripInterval + largestIPInterval + max(releaseAllowance, hardwareWatchdog ?? .zero)
    }

    public init(_ config: ClusterConfig) {
        networks = config.networks.map {
            NetworkTime(network: $0.name, type: $0.type, heartbeat: config.heartbeat(for: $0))
        }
        nodes = config.nodes.compactMap { node in
            let times = node.networks.compactMap { name in config.network(named: name) }
                .map { config.heartbeat(for: $0).detectionTime }
            return times.max().map { NodeTime(node: node.name, detection: $0) }
        }
        tripInterval = config.tuning.tripInterval
        largestIPInterval = config.largestIPHeartbeatInterval
        releaseAllowance = config.tuning.releaseAllowance
        hardwareWatchdog = config.tuning.hardwareWatchdog
        preset = config.tuning.preset
        observers = config.tuning.observers
        clusterSize = config.nodes.count
    }

    /// Seconds with up to three decimals and no trailing zeros: `0.8s`, `2s`, `1.25s`.
    public static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.milliseconds
        let whole = milliseconds / 1000
        var fraction = String(format3(milliseconds % 1000))
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let sign = milliseconds < 0 ? "-" : ""
        return fraction.isEmpty ? "\(whole)s" : "\(sign)\(abs(whole)).\(fraction)s"
    }

    private static func format3(_ value: Int64) -> String {
        let digits = String(abs(value))
        return String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }
}

extension ClusterConfig {
    /// The largest heartbeat interval among the IP networks: the longest a live, quorate node may go
    /// without a heartbeat reaching the others. Without IP networks, the default IP interval.
    public var largestIPHeartbeatInterval: Duration {
        networks.filter(\.isIP).map { heartbeat(for: $0).interval }.max() ?? tuning.defaultIP.interval
    }

    /// The longest detection time among the IP networks (without IP networks, the default IP one).
    public var largestIPDetectionTime: Duration {
        networks.filter(\.isIP).map { heartbeat(for: $0).detectionTime }.max() ?? tuning.defaultIP.detectionTime
    }

    /// How often a node reads the shared disks' slots for heartbeats and messages: every 50 ms, or
    /// every half disk heartbeat interval when that is shorter (`preset: fast`), so that a record is
    /// seen at most half an interval after it was written. When a node stops, its last record is
    /// the last thing the others hear of it: a slower read would delay both the moment its disk
    /// path is lost and the takeover wait, which counts from it.
    public var diskPollInterval: Duration {
        let halfBeats = networks.filter(\.isSharedDisk).map { heartbeat(for: $0).interval / 2 }
        return min(.milliseconds(50), halfBeats.min() ?? .milliseconds(50))
    }

    /// How long survivors wait, after they last heard a node, before they take over its
    /// non-concurrent groups: `tuning.tripInterval + largestIPHeartbeatInterval +
    /// tuning.selfFenceAllowance` (the release allowance, or the hardware watchdog's timeout when
    /// one is configured and longer).
    ///
    /// A node last heard at time T may itself have heard the survivors, and so counted itself in a
    /// quorum, for up to one heartbeat interval longer (heartbeats cross in flight, and a cut may be
    /// one-way). Its dead man switch trips `tripInterval` after that, and it then has
    /// `releaseAllowance` to remove its addresses and stop its applications before its watchdog
    /// halts it. With a hardware watchdog (`tuning.hardware_watchdog`), a node whose process hung
    /// or whose release is stuck still holds its addresses until the hardware resets it: its device
    /// was last petted while its lease held, so the reset comes at most `hardwareWatchdog` after the
    /// lease ended. Only after all three may a survivor acquire what it held.
    public var takeoverWait: Duration {
        tuning.tripInterval + largestIPHeartbeatInterval + tuning.selfFenceAllowance
    }
}
