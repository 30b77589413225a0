import VigilModel

/// The tiebreaker lease on a shared disk (a delta lease), which decides a partition of exactly half
/// the votes (`quorum: disk`), as in a two-node cluster.
///
/// The holder renews by writing a higher sequence every `interval`, and believes it holds the lease
/// for `holdTime` after it issued the write of the newest claim a later read still showed. A challenger takes the lease
/// only after it saw the sector unchanged for `staleTime` (longer than `holdTime` plus a renewal
/// interval, so the old holder has stopped believing by then), writes its claim, and holds it if a
/// read `settleTime` later still shows it (two challengers: the last writer wins, and the other
/// sees it). Times are read on this node's clock only; disk I/O is work of a step and its result an input.
public struct TiebreakerLease: Sendable {
    public let me: String
    public let incarnation: UInt64
    public let network: String
    public let interval: Duration
    public var holdTime: Duration { interval * 3 }
    public var staleTime: Duration { interval * 6 }
    public var settleTime: Duration { interval / 4 }

    /// When this node issued the write of the newest claim that a read then still showed.
    private(set) var confirmedAt: Moment?
    /// This node's newest claim and when its write was issued.
    private var claim: (record: TiebreakerRecord, written: Moment)?
    /// The last record seen that was not a live claim of ours, and since when it has not changed.
    private var observed: (record: TiebreakerRecord?, since: Moment)?
    private var pending: (id: UInt64, issued: Moment, purpose: Purpose)?
    private var nextID: UInt64 = 1
    private var lastIssued: Moment?
    private var readBackAt: Moment?

    enum Purpose { case read, renew, claim, readBack }

    public init(me: String, incarnation: UInt64, network: String, interval: Duration) {
        self.me = me
        self.incarnation = incarnation
        self.network = network
        self.interval = interval
    }

    /// When the next request is due (a read-back comes sooner than the next interval).
    public var nextDue: Moment? {
        if pending != nil { return nil }
        return readBackAt ?? lastIssued.map { $0 + interval }
    }

    /// The moment this node's hold of the tiebreaker ends unless it is confirmed again (`nil` when
    /// it never held it).
    public var heldUntil: Moment? { confirmedAt.map { $0 + holdTime } }

    /// Whether this node holds the tiebreaker now.
    public func holds(at now: Moment) -> Bool {
        guard let confirmedAt else { return false }
        return now - confirmedAt < holdTime
    }

    /// The disk request to issue now, if any. `wanted`: this node should hold the tiebreaker (it
    /// is the lowest-ranked node it can reach).
    public mutating func poll(at now: Moment, wanted: Bool) -> DiskRequest? {
        guard pending == nil else { return nil }
        if let at = readBackAt, now >= at {
            readBackAt = nil
            return issue(.read, purpose: .readBack, at: now)
        }
        guard readBackAt == nil, lastIssued.map({ now - $0 >= interval }) ?? true else { return nil }
        lastIssued = now
        return issue(.read, purpose: .read, at: now)
    }

    private mutating func issue(_ operation: DiskRequest.Operation, purpose: Purpose, at now: Moment) -> DiskRequest {
        defer { nextID += 1 }
        pending = (nextID, now, purpose)
        return DiskRequest(id: nextID, network: network, operation: operation)
    }

    /// A disk request finished. Returns the next request to issue at once (a renewal or a claim).
    public mutating func completed(_ id: UInt64, _ outcome: DiskOutcome, at now: Moment, wanted: Bool) -> DiskRequest? {
        guard let request = pending, request.id == id else { return nil }
        pending = nil
        // A result that reaches the node late (it was paused) describes a disk that may have
        // changed since: nothing is decided on it; a claim in progress is abandoned.
        guard now - request.issued <= interval else {
            if request.purpose == .readBack || request.purpose == .claim { claim = nil }
            readBackAt = nil
            return nil
        }
        switch (request.purpose, outcome) {
        case (.read, .read(let record)):
            return afterRead(record, issued: request.issued, at: now, wanted: wanted)
        case (.readBack, .read(let record)):
            if let claim, record == claim.record { confirmedAt = claim.written } else { claim = nil }
            return nil
        case (.claim, .written):
            readBackAt = now + settleTime
            return nil
        case (.renew, .written), (_, .failed), (_, .read), (_, .written):
            return nil
        }
    }

    private mutating func afterRead(_ record: TiebreakerRecord?, issued: Moment, at now: Moment, wanted: Bool)
        -> DiskRequest?
    {
        // Renew only while the belief still holds now: a renewal written after it lapsed could
        // overwrite a challenger's newer claim.
        if let claim, record == claim.record, holds(at: now) {
            confirmedAt = claim.written
            guard wanted else {
                // Stop holding at once: without renewals a challenger may take it after `staleTime`.
                confirmedAt = nil
                self.claim = nil
                return nil
            }
            // `&+`: the sequence only makes each write distinct, and the sector may hold any value.
            let renewal = TiebreakerRecord(owner: me, incarnation: incarnation, sequence: claim.record.sequence &+ 1)
            self.claim = (renewal, now)
            return issue(.write(renewal), purpose: .renew, at: now)
        }
        if record != claim?.record { claim = nil }
        if observed == nil || observed?.record != record { observed = (record, issued) }
        // An empty sector, or this node's own claim (its belief lapsed, say after a pause), may be
        // claimed at once: the read-back after `settleTime` settles a race with a challenger.
        let own = record.map { $0.owner == me && $0.incarnation == incarnation } ?? true
        guard wanted, let since = observed?.since, now - since >= staleTime || own else { return nil }
        // `&+`: whoever can write the shared disk can leave a sequence of 2^64 - 1 there.
        let mine = TiebreakerRecord(owner: me, incarnation: incarnation, sequence: (record?.sequence ?? 0) &+ 1)
        claim = (mine, now)
        observed = nil
        return issue(.write(mine), purpose: .claim, at: now)
    }
}
