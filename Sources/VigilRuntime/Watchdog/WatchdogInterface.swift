#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call on a watchdog device: its `errno`.
public struct WatchdogCallError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int32

    public init(_ code: Int32) { self.code = code }

    public var description: String { String(cString: strerror(code)) }
}

/// What `WDIOC_GETSUPPORT` reports (`struct watchdog_info`).
public struct WatchdogInfo: Sendable, Equatable {
    /// The `WDIOF_*` flags the driver supports (`WatchdogIoctl`).
    public var options: UInt32
    public var firmwareVersion: UInt32
    /// The driver's name for the device: `Software Watchdog` (softdog), `iTCO_wdt`, ...
    public var identity: String

    public init(options: UInt32, firmwareVersion: UInt32 = 0, identity: String) {
        self.options = options
        self.firmwareVersion = firmwareVersion
        self.identity = identity
    }

    /// The identity the kernel's `softdog` module reports.
    public static let softdogIdentity = "Software Watchdog"

    /// Whether this is the kernel's software watchdog: a timer in the kernel that a hung kernel
    /// does not fire, unlike a hardware device.
    public var isSoftdog: Bool { identity == Self.softdogIdentity }
}

/// The system calls a `WatchdogDevice` makes, one per operation of the Linux watchdog API, so that
/// tests can put a fake in their place: a test never opens a real watchdog (opening one arms it,
/// and a machine whose watchdog is not petted resets).
public protocol WatchdogInterface: Sendable {
    /// `open(path, O_WRONLY | O_CLOEXEC)`: a descriptor.
    func open(_ path: String) -> Result<Int32, WatchdogCallError>
    /// `WDIOC_GETSUPPORT`.
    func support(_ descriptor: Int32) -> Result<WatchdogInfo, WatchdogCallError>
    /// `WDIOC_SETTIMEOUT`: the seconds the driver accepted (drivers round to what they can do).
    func setTimeout(_ descriptor: Int32, seconds: Int32) -> Result<Int32, WatchdogCallError>
    /// `WDIOC_GETTIMEOUT`.
    func timeout(_ descriptor: Int32) -> Result<Int32, WatchdogCallError>
    /// `WDIOC_GETTIMELEFT` (not every driver has it).
    func timeLeft(_ descriptor: Int32) -> Result<Int32, WatchdogCallError>
    /// `WDIOC_KEEPALIVE`: one pet.
    func keepAlive(_ descriptor: Int32) -> WatchdogCallError?
    /// Writes `V` (the magic close that disarms a device with `WDIOF_MAGICCLOSE` and without
    /// `nowayout`) and closes the descriptor.
    func magicClose(_ descriptor: Int32)
    /// Closes the descriptor without the magic: the device stays armed and resets the node.
    func close(_ descriptor: Int32)
}

/// The real system calls.
public struct LinuxWatchdogInterface: WatchdogInterface {
    public init() {}

    public func open(_ path: String) -> Result<Int32, WatchdogCallError> {
        let descriptor = systemOpen(path, O_WRONLY | O_CLOEXEC)
        return descriptor >= 0 ? .success(descriptor) : .failure(WatchdogCallError(errno))
    }

    public func support(_ descriptor: Int32) -> Result<WatchdogInfo, WatchdogCallError> {
        // struct watchdog_info: options, firmware_version, identity[32].
        var raw = [UInt8](repeating: 0, count: Int(WatchdogIoctl.infoSize))
        let result = raw.withUnsafeMutableBytes { ioctl(descriptor, WatchdogIoctl.getSupport, $0.baseAddress!) }
        guard result == 0 else { return .failure(WatchdogCallError(errno)) }
        func word(_ at: Int) -> UInt32 {
            raw[at..<at + 4].enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        }
        let name = raw[8...].prefix { $0 != 0 }
        return .success(
            WatchdogInfo(options: word(0), firmwareVersion: word(4), identity: String(decoding: name, as: UTF8.self)))
    }

    public func setTimeout(_ descriptor: Int32, seconds: Int32) -> Result<Int32, WatchdogCallError> {
        intCall(descriptor, WatchdogIoctl.setTimeout, value: seconds)
    }

    public func timeout(_ descriptor: Int32) -> Result<Int32, WatchdogCallError> {
        intCall(descriptor, WatchdogIoctl.getTimeout, value: 0)
    }

    public func timeLeft(_ descriptor: Int32) -> Result<Int32, WatchdogCallError> {
        intCall(descriptor, WatchdogIoctl.getTimeLeft, value: 0)
    }

    public func keepAlive(_ descriptor: Int32) -> WatchdogCallError? {
        switch intCall(descriptor, WatchdogIoctl.keepAlive, value: 0) {
        case .success: nil
        case .failure(let error): error
        }
    }

    public func magicClose(_ descriptor: Int32) {
        _ = write(descriptor, "V", 1)
        _ = systemClose(descriptor)
    }

    public func close(_ descriptor: Int32) { _ = systemClose(descriptor) }

    /// An ioctl whose argument is a pointer to one `int`, read and possibly written by the driver.
    private func intCall(_ descriptor: Int32, _ request: UInt, value: Int32) -> Result<Int32, WatchdogCallError> {
        var argument = value
        let result = withUnsafeMutablePointer(to: &argument) { ioctl(descriptor, request, UnsafeMutableRawPointer($0)) }
        return result == 0 ? .success(argument) : .failure(WatchdogCallError(errno))
    }
}

// The C library's calls under names that the interface's own `open` and `close` do not hide.
private func systemOpen(_ path: String, _ flags: Int32) -> Int32 { open(path, flags) }
private func systemClose(_ descriptor: Int32) -> Int32 { close(descriptor) }
