/// A node's suspicion of itself (Lifeguard's local health): when its own timers fire late, its
/// daemon was starved or paused, and the silence it sees from others may be its own fault. It then
/// waits longer before it declares a path lost — that is, before it accuses anyone — and never
/// longer before it gives up its own lease, which only ever depends on its own clock.
///
/// The score rises by one for every heartbeat interval a wake-up came late (up to `maximum`) and
/// falls by one for every `calmPeriod` of wake-ups on time. Detection times are stretched by a
/// quarter of them per point: up to 3× at the top.
struct LocalHealth: Sendable {
    private(set) var score = 0
    private var lastChange: Moment = .zero

    static let maximum = 8
    /// How long wake-ups must come on time for the score to fall by one.
    static let calmPeriod: Duration = .seconds(1)

    /// A wake-up asked for `expected` came at `now`. Returns how late it was when that raised the
    /// score (for the log), else `nil`.
    mutating func woke(expected: Moment, at now: Moment, interval: Duration) -> Duration? {
        let lateness = now - expected
        if lateness > interval / 2 {
            let steps = max(1, Int(lateness / interval))
            let raised = min(Self.maximum, score + steps)
            lastChange = now
            guard raised > score else { return nil }
            score = raised
            return lateness
        }
        if score > 0, now - lastChange >= Self.calmPeriod {
            score -= 1
            lastChange = now
        }
        return nil
    }

    /// `time` stretched by the score.
    func stretched(_ time: Duration) -> Duration { time + time * score / 4 }
}
