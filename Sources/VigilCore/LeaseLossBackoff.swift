/// How long a node that lost its lease waits before it takes groups again: twice the trip
/// interval after one loss, doubling with each further loss within `memory`, at most 16 trip
/// intervals.
///
/// A node loses its lease when its confirmations come late, which on a starved host is its own
/// fault: its daemon and its peers' were not scheduled. Taking its groups back at once restarted the
/// work that starved it: 32 daemons on two cores (`vigil bench --only cost --sizes 32`) released
/// and acquired every group every few seconds for minutes, each round's actions and all-to-all
/// heartbeats keeping every host too busy to confirm anyone. While a node waits, its reports say it
/// may not acquire (`MemberReport.hasLease`), the coordinator gives it nothing, and a cluster
/// with nothing to do comes to rest, where it costs least.
struct LeaseLossBackoff: Sendable {
    /// When the recent losses happened, oldest first.
    private(set) var losses: [Moment] = []
    /// Until when the node takes no group.
    private(set) var holdUntil: Moment?

    /// How long a loss counts towards the next wait.
    static let memory: Duration = .seconds(60)
    /// How many times the wait doubles at most: it ends at 2^4 = 16 trip intervals.
    static let mostDoublings = 4

    /// A loss at `now`; returns the wait it starts.
    mutating func lost(at now: Moment, tripInterval: Duration) -> Duration {
        losses.removeAll { now - $0 >= Self.memory }
        losses.append(now)
        let wait = tripInterval * (1 << min(losses.count, Self.mostDoublings))
        holdUntil = now + wait
        return wait
    }

    /// Whether the node waits at `now`.
    func holds(at now: Moment) -> Bool { holdUntil.map { now < $0 } ?? false }

    /// The end of the wait, while it lasts: the node wakes then to report that it may acquire.
    func end(after now: Moment) -> Moment? { holdUntil.flatMap { $0 > now ? $0 : nil } }
}
