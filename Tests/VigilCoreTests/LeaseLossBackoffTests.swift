import Testing
@testable import VigilCore

/// A node that lost its lease waits before it takes groups again, longer with each loss in a row.
@Suite struct LeaseLossBackoffTests {
    let trip: Duration = .milliseconds(450)

    @Test func theWaitDoublesWithEachLossInARowUpToItsCeiling() {
        var backoff = LeaseLossBackoff()
        var now = Moment(.seconds(10))
        #expect(!backoff.holds(at: now))
        var waits: [Duration] = []
        for _ in 0..<6 {
            waits.append(backoff.lost(at: now, tripInterval: trip))
            now = now + .seconds(1)
        }
        #expect(waits == [trip * 2, trip * 4, trip * 8, trip * 16, trip * 16, trip * 16])
    }

    @Test func theNodeHoldsUntilTheWaitEndsAndWakesThen() {
        var backoff = LeaseLossBackoff()
        let lost = Moment(.seconds(5))
        let wait = backoff.lost(at: lost, tripInterval: trip)
        #expect(backoff.holds(at: lost))
        #expect(backoff.holds(at: lost + wait - .milliseconds(1)))
        #expect(!backoff.holds(at: lost + wait))
        #expect(backoff.end(after: lost) == lost + wait)
        #expect(backoff.end(after: lost + wait) == nil)
    }

    @Test func lossesOlderThanTheMemoryAreForgotten() {
        var backoff = LeaseLossBackoff()
        _ = backoff.lost(at: Moment(.seconds(1)), tripInterval: trip)
        _ = backoff.lost(at: Moment(.seconds(2)), tripInterval: trip)
        let wait = backoff.lost(at: Moment(.seconds(2)) + LeaseLossBackoff.memory + .seconds(1), tripInterval: trip)
        #expect(wait == trip * 2)
        #expect(backoff.losses.count == 1)
    }
}
