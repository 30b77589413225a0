import Testing
import VigilCore
@testable import VigilRuntime

/// The loop pets the dead man switch at the inputs it handles, at most once per half period, and
/// asks to be woken a period after the last pet, so that a loop with no input still pets in time.
@Suite struct PetScheduleTests {
    @Test func petsAtInputsAtMostTwicePerPeriodAndWakesForThePetWhenNothingCame() throws {
        var pets = PetSchedule(period: .milliseconds(75))
        #expect(pets.deadline == nil)
        let start = Moment.zero + .seconds(3)
        let first = pets.takeDue(at: start)
        #expect(first, "the first input pets")
        #expect(pets.deadline == start + .milliseconds(75))
        // Inputs every 10 ms: a pet at the first one half a period or more after the last.
        var petted: [Duration] = []
        for offset in stride(from: 10, through: 200, by: 10) {
            let now = start + .milliseconds(offset)
            if pets.takeDue(at: now) { petted.append(now - start) }
        }
        #expect(petted == [.milliseconds(40), .milliseconds(80), .milliseconds(120), .milliseconds(160), .milliseconds(200)])
        // No input: the loop's own wake at the deadline pets, and the next deadline follows it.
        let deadline = try #require(pets.deadline)
        #expect(deadline == start + .milliseconds(275))
        let atDeadline = pets.takeDue(at: deadline)
        #expect(atDeadline)
        #expect(pets.deadline == deadline + .milliseconds(75))
    }
}
