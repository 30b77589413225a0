/// How many items of one kind wait (or run) at once, against a limit, and how many were turned
/// away at it: the bookkeeping of every bounded queue of the daemon (`DaemonInbox`'s packets,
/// `HostWorkQueue`'s hook runs, `DaemonJobs`). Kept under its owner's lock.
struct BoundedCount: Sendable {
    let limit: Int
    private(set) var current = 0
    /// Items turned away because `limit` were there already.
    private(set) var refused: UInt64 = 0

    init(limit: Int) {
        precondition(limit > 0, "a bound of \(limit)")
        self.limit = limit
    }

    /// Counts one more item in, or counts it refused. Returns whether it was let in.
    mutating func admit() -> Bool {
        guard current < limit else {
            refused &+= 1
            return false
        }
        current += 1
        return true
    }

    /// One item left (taken off the queue, or finished).
    mutating func leave() {
        precondition(current > 0, "an item left a bound with none in it")
        current -= 1
    }
}
