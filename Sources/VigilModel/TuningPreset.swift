/// A named starting point for `tuning` (`tuning: {preset: fast}`): every heartbeat, the dead man
/// switch and the release allowance at once, so that nobody has to work out a consistent set by
/// hand. Settings written beside the preset override it one by one. `vigil verify` prints the
/// detection and takeover times that follow.
public enum TuningPreset: String, Sendable, Equatable, CaseIterable {
    /// For a LAN of dedicated machines that must fail over faster than keepalived's fastest
    /// VRRP: IP and disk heartbeats every 40 ms, a path lost after 4 missed (0.16 s), the dead man
    /// switch at 120 ms, 40 ms to release: takeover 0.2 s after a node was last heard. Starved or
    /// heavily loaded machines trip their switch sooner than with `default`.
    case fast
    /// Vigil's defaults: heartbeats every 150 ms, a path lost after 0.6 s, the dead man switch
    /// at 450 ms, 100 ms to release: takeover 0.7 s after a node was last heard.
    case `default`
    /// For nodes across a WAN or on busy, shared machines: heartbeats every second, a path lost
    /// after 5 s, the dead man switch at 3 s, 1 s to release: takeover 5 s after a node was last
    /// heard.
    case wan

    /// The tuning this preset stands for.
    public var tuning: Tuning {
        switch self {
        case .fast:
            Self.tuning(
                beat: .milliseconds(40), missedBeats: 4, serialBeat: .milliseconds(250), trip: .milliseconds(120),
                release: .milliseconds(40), preset: .fast)
        case .default:
            Tuning()
        case .wan:
            Self.tuning(
                beat: .seconds(1), missedBeats: 5, serialBeat: .seconds(2), trip: .seconds(3), release: .seconds(1),
                preset: .wan)
        }
    }

    /// IP and disk heartbeats alike; serial links with four missed beats.
    private static func tuning(
        beat: Duration, missedBeats: Int, serialBeat: Duration, trip: Duration, release: Duration,
        preset: TuningPreset
    ) -> Tuning {
        let heartbeat = HeartbeatSettings(interval: beat, missedBeats: missedBeats)
        return Tuning(
            defaultIP: heartbeat, defaultSerial: HeartbeatSettings(interval: serialBeat, missedBeats: 4),
            defaultDisk: heartbeat, tripInterval: trip, releaseAllowance: release, preset: preset)
    }
}
