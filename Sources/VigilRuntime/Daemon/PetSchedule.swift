import VigilCore

/// When the loop pets the dead man switch: at the inputs it handles anyway, at most once per half
/// `period`, and by a wake of its own (`deadline`) only when no input came for a whole period.
///
/// A pet proves that the loop ran. It used to come from a timer of its own, six times per trip
/// interval: at rest a node of a 4-node cluster woke 13 times a second for it alone, a quarter of
/// all its wake-ups, while packets and the core's timers woke it every 20 ms anyway.
struct PetSchedule: Sendable {
    /// The longest the loop goes without petting while it runs.
    let period: Duration
    private(set) var last: Moment?

    init(period: Duration) {
        precondition(period > .zero, "pet period \(period)")
        self.period = period
    }

    /// Whether to pet now: never petted, or half a period since the last pet. Records it.
    mutating func takeDue(at now: Moment) -> Bool {
        if let last, now - last < period / 2 { return false }
        last = now
        return true
    }

    /// When the loop must wake to pet if nothing else wakes it first (`nil` before the first pet).
    var deadline: Moment? { last.map { $0 + period } }
}
