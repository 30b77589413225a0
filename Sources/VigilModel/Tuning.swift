/// How fast Vigil notices failures and how long it lets events run. Every setting states its unit.
///
/// Failure detection time on a network = `interval × missedBeats` (plus one interval of jitter at
/// worst): with the defaults an IP path is declared lost after 4 × 150 ms = 0.6 s of silence. A node
/// is declared down only when every one of its paths is lost, so node detection time is the largest
/// detection time among the networks it is on.
public struct Tuning: Sendable, Equatable {
    /// Heartbeat settings by network type (`ether`, `token`, `rs232`, `disk`, ...). A type without an
    /// entry uses `defaultIP` (IP networks), `defaultSerial` or `defaultDisk`.
    public var heartbeats: [String: HeartbeatSettings]
    /// For IP network types without their own entry. Vigil's default: 150 ms × 4 = 0.6 s.
    /// (The seed's default was 1 s × 4 = 4 s.)
    public var defaultIP: HeartbeatSettings
    /// For serial links without their own entry: 500 ms × 4 = 2 s (the seed: 2 s × 4).
    public var defaultSerial: HeartbeatSettings
    /// For disk heartbeats without their own entry: 150 ms × 4 = 0.6 s, as on IP networks. A node is
    /// declared down only when every path to it is lost, so a slower disk would delay every
    /// takeover; and a disk path that is merely slow moves nothing (the IP networks still carry
    /// the node).
    public var defaultDisk: HeartbeatSettings
    /// An event still running after this long is reported (`config_too_long`) and the cluster is
    /// marked unstable until an administrator acts. Seconds in the file; the seed's default is 360 s.
    public var configTooLong: Duration
    /// The dead man switch's trip interval: a node that has not confirmed its membership with a
    /// quorum for this long (its daemon paused, starved or cut off) releases what it holds, and its
    /// watchdog halts it if the daemon cannot. Survivors wait this long, plus one heartbeat interval
    /// and `releaseAllowance`, after they last heard a node before they take over from it.
    public var tripInterval: Duration
    /// How long a node that lost quorum may take to release everything before its watchdog halts it.
    public var releaseAllowance: Duration
    /// The timeout of the node's hardware watchdog (`tuning.hardware_watchdog`, whole seconds), when
    /// `vigild --watchdog-device` arms one; `nil` when none is configured. `vigild` pets the device
    /// only while the node's lease holds (or it holds nothing), so a node whose lease ran out and
    /// still holds groups, its daemon hung or its release stuck, is reset at most this long after
    /// its lease ended. The takeover wait then waits for the longer of this and `releaseAllowance`
    /// (`ClusterConfig.takeoverWait`).
    public var hardwareWatchdog: Duration?
    /// The preset the settings started from (`tuning.preset`; `default` when none is written).
    public var preset: TuningPreset
    /// How many peers each node watches on each IP network (`tuning.observers`): in a view of more
    /// than `observers + 1` members, each member heartbeats only its ring neighbours (half of them
    /// on each side, in configured order) and the coordinator, which heartbeats every member, so
    /// that a member's cost does not grow with the cluster. Smaller views beat all-to-all.
    public var observers: Int

    public init(
        heartbeats: [String: HeartbeatSettings] = [:],
        defaultIP: HeartbeatSettings = HeartbeatSettings(interval: .milliseconds(150), missedBeats: 4),
        defaultSerial: HeartbeatSettings = HeartbeatSettings(interval: .milliseconds(500), missedBeats: 4),
        defaultDisk: HeartbeatSettings = HeartbeatSettings(interval: .milliseconds(150), missedBeats: 4),
        configTooLong: Duration = .seconds(360),
        tripInterval: Duration = .milliseconds(450),
        releaseAllowance: Duration = .milliseconds(100),
        hardwareWatchdog: Duration? = nil,
        preset: TuningPreset = .default,
        observers: Int = 4
    ) {
        self.heartbeats = heartbeats
        self.defaultIP = defaultIP
        self.defaultSerial = defaultSerial
        self.defaultDisk = defaultDisk
        self.configTooLong = configTooLong
        self.tripInterval = tripInterval
        self.releaseAllowance = releaseAllowance
        self.hardwareWatchdog = hardwareWatchdog
        self.preset = preset
        self.observers = observers
    }

    /// How long after its lease ended a node is certainly rid of its groups: it released them within
    /// `releaseAllowance`, or, with a hardware watchdog, the hardware reset it within
    /// `hardwareWatchdog` (its device is not petted after the lease ended while it holds anything);
    /// the longer of the two.
    public var selfFenceAllowance: Duration { max(releaseAllowance, hardwareWatchdog ?? .zero) }

    /// Whether a view of `members` nodes monitors in rings with `observers` ring neighbours each:
    /// more than `observers + 1` members (`MonitorRing`, `ClusterNode.grantees`).
    public static func monitorsInRings(members: Int, observers: Int) -> Bool {
        observers >= 1 && members > observers + 1
    }

    /// Whether a view of `members` nodes monitors in rings with these settings.
    public func monitorsInRings(members: Int) -> Bool { Self.monitorsInRings(members: members, observers: observers) }

    /// The settings for a network of the given type.
    public func heartbeat(forNetworkType type: String) -> HeartbeatSettings {
        if let own = heartbeats[type] { return own }
        switch type {
        case "rs232", "serial", "tmssa", "tmscsi": return defaultSerial
        case "disk", "diskhb": return defaultDisk
        default: return defaultIP
        }
    }
}

/// One network type's heartbeat: a beat every `interval`; a path is lost after `missedBeats` beats
/// in a row are missing, that is after `detectionTime = interval × missedBeats`.
public struct HeartbeatSettings: Sendable, Equatable {
    /// Time between two heartbeats on each path.
    public var interval: Duration
    /// Consecutive missing heartbeats after which a path is declared lost (the seed's sensitivity).
    public var missedBeats: Int

    public init(interval: Duration, missedBeats: Int) {
        self.interval = interval
        self.missedBeats = missedBeats
    }

    /// How long a path may stay silent before it is declared lost.
    public var detectionTime: Duration { interval * missedBeats }
}
