import VigilCore

/// A received value that checks its own durations and counters against `WireLimits`, field by
/// field, instead of being walked by reflection. Only the large messages that arrive often (the
/// coordinator's state, a member's report, an acceptance) conform: walked by `Mirror`, a state of
/// 32 nodes cost a quarter of a member's CPU while a cluster formed (`vigil bench --only cost`,
/// perf). Every other value is still walked by reflection, and `WireBoundsTests` checks each
/// conformance against that walk with every number of a full message pushed out of bounds in
/// turn, so a field added later and forgotten here fails a test.
protocol WireBounded {
    /// Whether every duration and counter inside is within `WireLimits`.
    var wireValuesAreBounded: Bool { get }
}

extension WireLimits {
    static func isBounded(_ moment: Moment) -> Bool { isBounded(moment.sinceOrigin) }
    static func areBounded(_ counters: [String: UInt64]) -> Bool { counters.values.allSatisfy(isBounded) }
}

extension ClusterState: WireBounded {
    var wireValuesAreBounded: Bool {
        // `topology`, `admin`, `failures`, `round.work`, `holdings`: names and states only;
        // `placement`: names, but for the event each decision was made in.
        WireLimits.isBounded(epoch) && WireLimits.areBounded(members) && WireLimits.isBounded(seq)
            && WireLimits.areBounded(upIncarnations) && WireLimits.areBounded(departed)
            && events.allSatisfy(\.wireValuesAreBounded) && WireLimits.isBounded(nextEventNumber)
            && WireLimits.isBounded(firstEventOfView) && (round.map { WireLimits.isBounded($0.number) } ?? true)
            && WireLimits.isBounded(nextRoundNumber) && (acknowledgedEvent.map(WireLimits.isBounded) ?? true)
            && WireLimits.isBounded(configVersion) && WireLimits.isBounded(activeConfigVersion)
            && (pendingConfigVersion.map(WireLimits.isBounded) ?? true)
            && configGrants.allSatisfy { WireLimits.isBounded($0.version) && WireLimits.isBounded($0.request) }
            && placement.values.allSatisfy { $0.decision?.event.map(WireLimits.isBounded) ?? true }
    }
}

extension EventRecord: WireBounded {
    var wireValuesAreBounded: Bool {
        WireLimits.isBounded(number) && WireLimits.isBounded(started)
            && (completed.map(WireLimits.isBounded) ?? true) && WireLimits.valuesAreBounded(event)
    }
}

extension MemberReport: WireBounded {
    var wireValuesAreBounded: Bool {
        // `topology`, `holdings`: names, flags and states only.
        WireLimits.isBounded(number) && WireLimits.isBounded(incarnation) && WireLimits.isBounded(installedEpoch)
            && WireLimits.isBounded(installedSeq) && WireLimits.isBounded(doneRoundEpoch)
            && WireLimits.isBounded(doneRound) && WireLimits.isBounded(configVersion)
            && WireLimits.isBounded(runningConfigVersion)
    }
}

extension Acceptance: WireBounded {
    var wireValuesAreBounded: Bool {
        WireLimits.isBounded(epoch) && report.wireValuesAreBounded
            && (agreed?.wireValuesAreBounded ?? true)
            && lastHeardAgo.values.allSatisfy(WireLimits.isBounded)
    }
}
