/// The ranges Vigil accepts for the numbers of a configuration, and why.
///
/// Every number is checked twice over. When a file is read, a value beyond what its field could
/// mean (more than the top of its range, or as far below zero) is refused by the loader, naming
/// the field: so no setting, and nothing computed from settings, can overflow. A detection time is
/// `interval × missed_beats` ≤ 1 day × 1,000; the takeover wait is the sum of three durations of at
/// most a day each: both are far inside what a `Duration` holds. Then `verify` checks each value
/// against the bottom of its range (at least 2 missed beats, a cluster id of at least 1), and checks
/// configurations built in code against the whole range.
public enum ConfigLimits {
    /// The longest duration any setting accepts: one day. Heartbeats, timeouts and intervals are
    /// milliseconds to minutes; a day leaves room for a slow application start or a long
    /// `config_too_long` without letting `interval × missed_beats` grow without bound.
    public static let longestDuration: Duration = .seconds(86_400)
    /// `longestDuration` as the file would write it.
    public static let longestDurationText = "24h"
    /// `tuning.heartbeat.TYPE.missed_beats`: at least 2, or a single lost packet declares a path down.
    public static let missedBeats = 2...1_000
    /// How many peers a node watches on each IP network (`tuning.observers`).
    public static let observers = 2...64
    /// `tuning.hardware_watchdog`, in whole seconds: the Linux watchdog API sets a timeout in
    /// seconds (`WDIOC_SETTIMEOUT`), and no driver accepts 0; an hour is far beyond any reset a
    /// cluster should wait for, as every takeover waits the whole timeout.
    public static let hardwareWatchdogSeconds = 1...3_600
    /// `applications[].restart_count`.
    public static let restartCount = 0...1_000
    /// `hooks.EVENT.recovery.retries`.
    public static let recoveryRetries = 0...1_000
    /// `cluster.id`: a positive 32-bit number, which every packet and disk record carries.
    public static let clusterID = 1...2_147_483_647
    /// The largest configuration file, in bytes: a cluster at every list limit fits in far less,
    /// and parsing stays well under a second.
    public static let largestFileBytes = 4 << 20
    /// The most nodes: a heartbeat and a disk record count the peers they list in one byte.
    public static let maximumNodes = ListLimit(255, "a heartbeat lists its peers in one byte")
    /// The most networks.
    public static let maximumNetworks = ListLimit(255, "every node beats on every network it is on")
    /// The most interfaces of one node.
    public static let maximumInterfaces = ListLimit(64, "every adapter beats to every peer adapter")
    /// The most resource groups: a disk record lists the groups its node holds, up to 1,024.
    public static let maximumResourceGroups = ListLimit(1_024, "a disk record lists at most 1024 held groups")
    /// The most entries of any other list: service addresses, applications, volume groups,
    /// filesystems, exports, a group's lists, a hook's commands, heartbeat settings.
    public static let maximumEntries = ListLimit(1_024, "verify and placement look at every pair of entries")

    /// The most entries a list may have, and why.
    public struct ListLimit: Sendable {
        public var count: Int
        public var reason: String
        init(_ count: Int, _ reason: String) {
            self.count = count
            self.reason = reason
        }
    }

    /// Whether `value` is refused when read: beyond the top of `range`, or as far below zero.
    /// What lies between is read, and `verify` checks it against the bottom of the range.
    static func isBeyond(_ value: Int, _ range: ClosedRange<Int>) -> Bool {
        value > range.upperBound || value < -range.upperBound
    }

    /// `from 2 to 1000`.
    static func describe(_ range: ClosedRange<Int>) -> String { "from \(range.lowerBound) to \(range.upperBound)" }
}
