/// Why a watchdog device could not be opened or set up, in words that say what to do about it.
public struct WatchdogDeviceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
