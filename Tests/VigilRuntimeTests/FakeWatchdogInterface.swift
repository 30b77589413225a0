import Synchronization
@testable import VigilRuntime

#if canImport(Glibc)
import Glibc
#endif

/// A watchdog driver in memory: what a test's `WatchdogDevice` opens instead of a real device. It
/// records the calls, rounds timeouts as the test says, and tells whether it was left armed.
final class FakeWatchdogInterface: WatchdogInterface {
    struct State {
        var openError: Int32?
        var info = WatchdogInfo(options: WatchdogIoctl.canSetTimeout | WatchdogIoctl.magicClose, identity: "iTCO_wdt")
        /// What the driver makes of a timeout it is asked for.
        var round: @Sendable (Int32) -> Int32 = { $0 }
        var setTimeoutError: Int32?
        var timeout: Int32 = 30
        var keepAlives = 0
        var magicClosed = false
        var closedArmed = false
    }

    let state: Mutex<State>

    init(_ configure: (inout State) -> Void = { _ in }) {
        var state = State()
        configure(&state)
        self.state = Mutex(state)
    }

    var keepAlives: Int { state.withLock { $0.keepAlives } }
    var magicClosed: Bool { state.withLock { $0.magicClosed } }
    var closedArmed: Bool { state.withLock { $0.closedArmed } }
    var timeoutSet: Int32 { state.withLock { $0.timeout } }

    func open(_ path: String) -> Result<Int32, WatchdogCallError> {
        state.withLock { $0.openError.map { .failure(WatchdogCallError($0)) } ?? .success(7) }
    }

    func support(_ descriptor: Int32) -> Result<WatchdogInfo, WatchdogCallError> {
        .success(state.withLock { $0.info })
    }

    func setTimeout(_ descriptor: Int32, seconds: Int32) -> Result<Int32, WatchdogCallError> {
        state.withLock { state in
            if let error = state.setTimeoutError { return .failure(WatchdogCallError(error)) }
            state.timeout = state.round(seconds)
            return .success(state.timeout)
        }
    }

    func timeout(_ descriptor: Int32) -> Result<Int32, WatchdogCallError> { .success(state.withLock { $0.timeout }) }

    func timeLeft(_ descriptor: Int32) -> Result<Int32, WatchdogCallError> { .failure(WatchdogCallError(ENOTTY)) }

    func keepAlive(_ descriptor: Int32) -> WatchdogCallError? {
        state.withLock { $0.keepAlives += 1 }
        return nil
    }

    func magicClose(_ descriptor: Int32) { state.withLock { $0.magicClosed = true } }

    func close(_ descriptor: Int32) { state.withLock { $0.closedArmed = true } }
}
