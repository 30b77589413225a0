import Foundation
import Synchronization

/// A client of the demo's service: on its own thread, asks `endpoint` for a line every `period`
/// (each attempt bounded by `attemptTimeout`) and records the longest stretch without an answer,
/// measured from the last answer before it to the first answer after it.
final class DemoProbeLoop: Sendable {
    struct Record: Sendable, Hashable {
        var attempts = 0
        var answers = 0
        /// The answer last received, and when.
        var lastAnswer: String?
        var lastAnswerAt: ContinuousClock.Instant?
        /// The longest completed stretch without an answer, and its answers before and after.
        var longestGap: Duration = .zero
        var gapFrom: String?
        var gapTo: String?
        /// When the answer that ended the longest gap came.
        var gapEndedAt: ContinuousClock.Instant?
        /// Distinct answers in the order first seen.
        var answersSeen: [String] = []
    }

    let endpoint: DemoEndpoint
    let period: Duration
    let attemptTimeout: Duration
    private let state = Mutex(Record())
    private let stopping = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)

    init(endpoint: DemoEndpoint, period: Duration = .milliseconds(10), attemptTimeout: Duration = .milliseconds(100)) {
        self.endpoint = endpoint
        self.period = period
        self.attemptTimeout = attemptTimeout
    }

    var record: Record { state.withLock { $0 } }

    /// Starts the loop on a thread of its own (blocking socket calls stay off Swift's cooperative pool).
    func start() {
        let thread = Thread { [self] in
            while !stopping.load(ordering: .relaxed) {
                attempt()
                Thread.sleep(
                    forTimeInterval: Double(period.components.attoseconds) / 1e18 + Double(period.components.seconds))
            }
            finished.store(true, ordering: .relaxed)
        }
        thread.name = "vigil-demo-probe"
        thread.start()
    }

    /// Stops the loop and waits (up to a second) for its thread to finish.
    func stop() {
        stopping.store(true, ordering: .relaxed)
        let deadline = ContinuousClock.now + .seconds(1)
        while !finished.load(ordering: .relaxed), ContinuousClock.now < deadline { usleep(5_000) }
    }

    /// Forgets the longest gap so far (to measure the next one on its own).
    func resetLongestGap() {
        state.withLock { record in
            record.longestGap = .zero
            record.gapFrom = nil
            record.gapTo = nil
            record.gapEndedAt = nil
        }
    }

    private func attempt() {
        // A failed attempt is what the loop measures, not an error to report.
        let answer: String?
        do { answer = try DemoSocket.askLine(endpoint, timeout: attemptTimeout) } catch { answer = nil }
        let now = ContinuousClock.now
        state.withLock { record in
            record.attempts += 1
            guard let answer else { return }
            record.answers += 1
            if let last = record.lastAnswerAt, last.duration(to: now) > record.longestGap {
                record.longestGap = last.duration(to: now)
                record.gapFrom = record.lastAnswer
                record.gapTo = answer
                record.gapEndedAt = now
            }
            record.lastAnswer = answer
            record.lastAnswerAt = now
            if !record.answersSeen.contains(answer) { record.answersSeen.append(answer) }
        }
    }
}
