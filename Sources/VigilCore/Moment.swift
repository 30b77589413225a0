import Foundation

/// A point in time as the core sees it: a duration since an arbitrary origin chosen by whoever drives
/// the core (the simulator's virtual clock, the daemon's monotonic clock). The core never reads a
/// clock; every input carries `now`.
public struct Moment: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var sinceOrigin: Duration

    public init(_ sinceOrigin: Duration) { self.sinceOrigin = sinceOrigin }

    public static let zero = Moment(.zero)

    public static func < (lhs: Moment, rhs: Moment) -> Bool { lhs.sinceOrigin < rhs.sinceOrigin }
    public static func + (lhs: Moment, rhs: Duration) -> Moment { Moment(lhs.sinceOrigin + rhs) }
    public static func - (lhs: Moment, rhs: Moment) -> Duration { lhs.sinceOrigin - rhs.sinceOrigin }
    public static func - (lhs: Moment, rhs: Duration) -> Moment { Moment(lhs.sinceOrigin - rhs) }

    public var description: String {
        let ms = sinceOrigin.components.seconds * 1000 + sinceOrigin.components.attoseconds / 1_000_000_000_000_000
        return String(format: "%lld.%03llds", ms / 1000, ms % 1000)
    }
}
