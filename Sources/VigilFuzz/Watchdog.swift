import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Watches the input being decoded, from two sides:
///
/// - a thread that aborts the run, naming the decoder, the seed and the input, when one input has
///   run for longer than `limit` (a hang);
/// - a signal handler that, when the process is killed by a trap (`SIGILL`, `SIGTRAP`), a bad
///   access or an abort, writes the same before the previous handler (Swift's backtracer) runs.
///
/// The main loop calls `begin(index:)` and `end()` around every input: two atomic stores.
enum Watchdog {
    /// The longest one input may take.
    static let limit: Duration = .seconds(1)

    /// Monotonic nanoseconds at which the current input began; 0 between inputs.
    static let startedAt = Atomic<UInt64>(0)
    /// The index of the current input.
    static let index = Atomic<UInt64>(0)

    /// `vigil-fuzz: ... in DECODER (seed S) at input ` and `; replay: ... --index `, written by the
    /// signal handler around the index: kept in memory allocated once, as a handler may not allocate.
    nonisolated(unsafe) static let banner = UnsafeMutablePointer<UInt8>.allocate(capacity: 1024)
    nonisolated(unsafe) static let digits = UnsafeMutablePointer<UInt8>.allocate(capacity: 24)
    nonisolated(unsafe) static var firstLength = 0
    nonisolated(unsafe) static var secondLength = 0
    /// The handlers that were installed before ours, by signal number.
    nonisolated(unsafe) static let previous = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
    static let caught: [Int32] = [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT]

    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    static func begin(index value: UInt64) {
        index.store(value, ordering: .relaxed)
        startedAt.store(now(), ordering: .releasing)
    }

    static func end() { startedAt.store(0, ordering: .releasing) }

    /// Names the decoder and seed that the messages of a hang or a crash give. Call before the
    /// decoder's first input.
    static func describe(decoder: String, seed: UInt64) {
        let first = Array("\nvigil-fuzz: the process ends in decoder \(decoder) (seed \(seed)) at input ".utf8)
        let second = Array("; replay it with: vigil-fuzz --only \(decoder) --replay \(seed) --index ".utf8)
        precondition(first.count + second.count <= 1024, "decoder name too long for the banner")
        banner.update(from: first + second, count: first.count + second.count)
        firstLength = first.count
        secondLength = second.count
    }

    /// Starts the watching thread and installs the crash handler.
    static func start() {
        for signal in caught {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in Watchdog.crashed(signal) }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signal, &action, previous + Int(signal))
        }
        let thread = Thread {
            let limit = UInt64(Watchdog.limit.components.seconds) * 1_000_000_000
            while true {
                usleep(100_000)
                let started = startedAt.load(ordering: .acquiring)
                guard started != 0, now() &- started > limit else { continue }
                let hung = index.load(ordering: .relaxed)
                let message = "\nvigil-fuzz: HANG: one input ran for more than \(Watchdog.limit)"
                FileHandle.standardError.write(Data(message.utf8))
                writeBanner(index: hung)
                abort()
            }
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// The signal handler: writes the banner with the current index, then puts back the handler
    /// that was there (Swift's backtracer) and returns, so that the fault happens again under it.
    static func crashed(_ signal: Int32) {
        writeBanner(index: index.load(ordering: .relaxed))
        sigaction(signal, previous + Int(signal), nil)
    }

    /// Writes the banner around `index`, with `write(2)` only.
    static func writeBanner(index: UInt64) {
        var value = index
        var count = 0
        repeat {
            digits[23 - count] = UInt8(ascii: "0") + UInt8(value % 10)
            value /= 10
            count += 1
        } while value > 0 && count < 24
        let number = UnsafeRawPointer(digits + (24 - count))
        _ = write(2, banner, firstLength)
        _ = write(2, number, count)
        _ = write(2, banner + firstLength, secondLength)
        _ = write(2, number, count)
        _ = write(2, "\n", 1)
    }
}
