import Testing
import VigilCore

/// The disk tiebreaker (a delta lease) against a shared register: never two holders at once, over
/// many random schedules of renewals, pauses and slow disks; and a holder that stops renewing is
/// replaced only after the stale time.
@Suite struct TiebreakerLeaseTests {
    /// Two contenders and one register, driven in steps of 10 ms with random pauses and disk delays.
    struct Bench {
        var register: TiebreakerRecord?
        var leases: [TiebreakerLease]
        var inFlight: [(node: Int, request: DiskRequest, effectAt: Moment, doneAt: Moment, outcome: DiskOutcome?)] = []
        var pausedUntil: [Moment] = [.zero, .zero]
        var random: SplitMix64
        var now: Moment = .zero

        init(seed: UInt64) {
            random = SplitMix64(seed: seed)
            leases = ["alpha", "beta"].map { TiebreakerLease(me: $0, incarnation: 1, network: "dhb", interval: .milliseconds(200)) }
        }

        mutating func step(wanted: [Bool]) {
            now = now + .milliseconds(10)
            // The disk does its work when due, whether or not its requester runs.
            for index in inFlight.indices where inFlight[index].outcome == nil && inFlight[index].effectAt <= now {
                switch inFlight[index].request.operation {
                case .read: inFlight[index].outcome = .read(register)
                case .write(let record):
                    register = record
                    inFlight[index].outcome = .written
                }
            }
            for node in 0..<2 {
                if random.next() % 400 == 0 { pausedUntil[node] = now + .milliseconds(Int64(random.next() % 3000)) }
                guard pausedUntil[node] <= now else { continue }
                if let done = inFlight.firstIndex(where: { $0.node == node && $0.outcome != nil && $0.doneAt <= now }) {
                    let finished = inFlight.remove(at: done)
                    if let next = leases[node].completed(finished.request.id, finished.outcome!, at: now, wanted: wanted[node]) {
                        submit(next, from: node)
                    }
                }
                if let request = leases[node].poll(at: now, wanted: wanted[node]) { submit(request, from: node) }
            }
        }

        mutating func submit(_ request: DiskRequest, from node: Int) {
            let effect = now + .milliseconds(Int64(1 + random.next() % 5))
            inFlight.append((node, request, effect, effect + .milliseconds(Int64(random.next() % 3)), nil))
        }
    }

    @Test func neverTwoHoldersOverRandomSchedules() {
        for seed in UInt64(1)...200 {
            var bench = Bench(seed: seed)
            var holders: [Set<Int>] = []
            for tick in 0..<3000 {
                let wanted = [tick % 1000 < 700, true]
                bench.step(wanted: wanted)
                let holding = Set((0..<2).filter { bench.leases[$0].holds(at: bench.now) })
                holders.append(holding)
                if holding.count > 1 {
                    Issue.record("seed \(seed): both hold the tiebreaker at \(bench.now)")
                    break
                }
            }
            #expect(holders.contains { !$0.isEmpty }, "seed \(seed): nobody ever held the tiebreaker")
        }
    }

    @Test func aSilentHolderIsReplacedOnlyAfterTheStaleTime() {
        var bench = Bench(seed: 7)
        bench.pausedUntil = [.zero, Moment(.seconds(1000))]
        for _ in 0..<100 { bench.step(wanted: [true, true]) }
        #expect(bench.leases[0].holds(at: bench.now))
        bench.pausedUntil = [Moment(.seconds(1000)), .zero]
        let silentFrom = bench.now
        var takenAt: Moment? = nil
        for _ in 0..<400 where takenAt == nil {
            bench.step(wanted: [true, true])
            if bench.leases[1].holds(at: bench.now) { takenAt = bench.now }
        }
        let taken = try? #require(takenAt)
        #expect(taken.map { $0 - silentFrom >= bench.leases[1].staleTime } ?? false)
        #expect(!bench.leases[0].holds(at: bench.now))
    }

    /// The tiebreaker sector is read from the shared disk, which anyone who can write it may fill
    /// with a valid record of sequence 2^64 - 1: claiming over it (`sequence + 1`) trapped. The
    /// sequence now wraps; it only makes each write distinct.
    @Test func aSectorWithTheLargestSequenceIsClaimedWithoutATrap() {
        for owner in ["gamma", "alpha"] {
            var bench = Bench(seed: 7)
            bench.register = TiebreakerRecord(owner: owner, incarnation: 1, sequence: .max)
            for _ in 0..<400 { bench.step(wanted: [true, false]) }
            #expect(bench.leases[0].holds(at: bench.now), "alpha holds the lease over \(owner)'s record")
            #expect(bench.register?.owner == "alpha" && (bench.register?.sequence ?? .max) < 100)
        }
    }
}
