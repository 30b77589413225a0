import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Linux watchdog device (`/dev/watchdog`), opened and armed, as SBD uses one under Pacemaker:
/// opened once (the kernel lets one process hold it), its timeout set from
/// `tuning.hardware_watchdog` and read back (drivers round to what the hardware can count), then
/// petted with `WDIOC_KEEPALIVE`. If the pets stop for the timeout, the hardware resets the node.
///
/// Who pets it, and when, is `Watchdog`'s business (only while the node's lease holds). `disarm()`
/// ends an orderly stop with the magic close (`V`); a device whose driver has `nowayout` set stays
/// armed whatever is written, and resets the node unless someone else pets it.
///
/// The system calls go through a `WatchdogInterface`, so that tests use a fake.
public final class WatchdogDevice: Sendable {
    public let path: String
    /// What the driver says it is and supports.
    public let info: WatchdogInfo
    /// The timeout the driver accepted, read back after setting it: never longer than the one
    /// configured (`open` refuses a driver that rounds up).
    public let timeout: Duration
    /// What an operator should know about this device (a softdog, a timeout rounded down), for
    /// the daemon's log.
    public let warnings: [String]
    private let descriptor: Int32
    private let interface: any WatchdogInterface
    private let closed = Mutex(false)

    private init(
        path: String, info: WatchdogInfo, timeout: Duration, warnings: [String], descriptor: Int32,
        interface: any WatchdogInterface
    ) {
        self.path = path
        self.info = info
        self.timeout = timeout
        self.warnings = warnings
        self.descriptor = descriptor
        self.interface = interface
    }

    /// Whether the device is the kernel's software watchdog (`softdog`).
    public var isSoftdog: Bool { info.isSoftdog }

    /// Opens the device at `path` (which arms it), sets its timeout to `timeout` (rounded up to
    /// whole seconds, as the API counts) and reads back the one the driver accepted. On any
    /// failure after the open, the device is disarmed and closed again before the error is thrown.
    ///
    /// - Parameter holders: who holds the device, for the message when it is busy
    ///   (`WatchdogHolders.find`).
    public static func open(
        _ path: String, timeout: Duration, interface: any WatchdogInterface = LinuxWatchdogInterface(),
        holders: () -> [WatchdogHolder] = { [] }
    ) throws(WatchdogDeviceError) -> WatchdogDevice {
        let wanted = wholeSeconds(timeout)
        let descriptor: Int32
        switch interface.open(path) {
        case .success(let opened): descriptor = opened
        case .failure(let error): throw openError(path, error, holders: holders)
        }
        do {
            let info = try get(interface.support(descriptor), "read what \(path) supports (WDIOC_GETSUPPORT)")
            let set = try get(
                interface.setTimeout(descriptor, seconds: wanted), "set the timeout of \(path) to \(wanted)s")
            let accepted = (try? interface.timeout(descriptor).get()) ?? set
            let warnings = try check(accepted: accepted, wanted: wanted, path: path, info: info)
            return WatchdogDevice(
                path: path, info: info, timeout: .seconds(accepted), warnings: warnings, descriptor: descriptor,
                interface: interface)
        } catch {
            interface.magicClose(descriptor)
            throw error
        }
    }

    /// One pet (`WDIOC_KEEPALIVE`); the error when the driver refused it or the device was closed.
    /// Every call on the descriptor holds the lock that closing takes, so that a pet never reaches
    /// a descriptor closed (and perhaps reused) meanwhile.
    @discardableResult
    public func keepAlive() -> WatchdogCallError? {
        closed.withLock { closed in closed ? WatchdogCallError(EBADF) : interface.keepAlive(descriptor) }
    }

    /// Seconds left before the reset, if the driver tells.
    public func timeLeft() -> Duration? {
        closed.withLock { closed in
            guard !closed, let seconds = try? interface.timeLeft(descriptor).get() else { return nil }
            return .seconds(seconds)
        }
    }

    /// Disarms the device with the magic close and closes it (an orderly stop). Once only.
    public func disarm() {
        closed.withLock { closed in
            guard !closed else { return }
            closed = true
            interface.magicClose(descriptor)
        }
    }

    /// Closes the device without the magic close: it stays armed, nobody pets it, and the node is
    /// reset when its timeout runs out (`vigil watchdog test`). Once only.
    public func abandon() {
        closed.withLock { closed in
            guard !closed else { return }
            closed = true
            interface.close(descriptor)
        }
    }

    /// Whole seconds, rounded up (a timeout is never made shorter than asked), within the API's `int`.
    static func wholeSeconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let rounded = attoseconds > 0 ? seconds + 1 : seconds
        return Int32(clamping: max(1, rounded))
    }

    private static func get<Value>(
        _ result: Result<Value, WatchdogCallError>, _ what: String
    ) throws(WatchdogDeviceError) -> Value {
        switch result {
        case .success(let value): return value
        case .failure(let error): throw WatchdogDeviceError("cannot \(what): \(error)")
        }
    }

    /// The accepted timeout against the wanted one: longer is refused (the takeover wait counts
    /// the configured one), shorter is a warning; a softdog is a warning.
    private static func check(
        accepted: Int32, wanted: Int32, path: String, info: WatchdogInfo
    ) throws(WatchdogDeviceError) -> [String] {
        guard accepted > 0 else {
            throw WatchdogDeviceError("the driver of \(path) reports a timeout of \(accepted)s after it was set")
        }
        guard accepted <= wanted else {
            throw WatchdogDeviceError(
                "the driver of \(path) (\(info.identity)) accepted a timeout of \(accepted)s for the \(wanted)s "
                    + "configured (drivers round to what the hardware can count): survivors would take over "
                    + "before it resets a hung node; set tuning.hardware_watchdog to \(accepted)s")
        }
        var warnings: [String] = []
        if accepted < wanted {
            warnings.append(
                "the driver of \(path) set its timeout to \(accepted)s for the \(wanted)s configured: "
                    + "a hung node is reset sooner")
        }
        if info.isSoftdog {
            warnings.append(
                "\(path) is the kernel's software watchdog (softdog): it resets the node when vigild stops "
                    + "petting it, but not when the kernel itself hangs; use a hardware watchdog in production")
        }
        return warnings
    }

    /// The message of a failed open: busy (another watchdog daemon holds the device), missing,
    /// not permitted, or the system's words.
    static func openError(
        _ path: String, _ error: WatchdogCallError, holders: () -> [WatchdogHolder]
    ) -> WatchdogDeviceError {
        let why: String
        switch error.code {
        case EBUSY:
            let held = holders()
            let who = held.isEmpty ? "" : " (held by \(held.map(\.description).joined(separator: ", ")))"
            why =
                "it is busy: another watchdog daemon (sbd, watchdog, systemd's RuntimeWatchdogSec or another "
                + "vigild) holds it\(who); the kernel lets one process open it: stop that one, or give vigild "
                + "another device"
        case ENOENT, ENODEV, ENXIO:
            why = "no such device: load the driver of the machine's watchdog (to try Vigil out, `modprobe softdog`)"
        case EACCES, EPERM:
            why = "permission denied: vigild must run as root"
        default:
            why = "\(error)"
        }
        return WatchdogDeviceError("cannot open watchdog device \(path): \(why)")
    }
}
