import Foundation

/// Durations as written in configuration files and test plans: a number and a unit, `200ms`, `1s`,
/// `1.5s`, `2m`. A bare number is refused: every timing setting states its unit.
public enum DurationText {
    /// The longest duration `parse` returns: about 292,000 years, the most whole milliseconds that
    /// fit in an `Int64` with room to spare. Settings have much lower limits of their own
    /// (`ConfigLimits.longestDuration`); this one only keeps the conversion from overflowing.
    public static let largest: Duration = .milliseconds(Int64(1) << 62)

    /// Why a text is not a duration.
    public enum Failure: Error, Sendable, Equatable {
        /// A number without a unit (`200`).
        case noUnit
        /// A number below zero.
        case negative
        /// A number too large to be a duration (more than `largest`).
        case tooLarge
        /// Not a number with a unit at all (`fast`, `1.5.2s`, `nan s`).
        case malformed
    }

    /// Parses `"<number><unit>"` with unit `ms`, `s`, `m` or `h`.
    public static func parse(_ text: String) -> Duration? {
        try? read(text).get()
    }

    /// Parses `"<number><unit>"` with unit `ms`, `s`, `m` or `h`, saying why a text is refused.
    /// Never traps: a number too large for a duration is `.tooLarge`.
    public static func read(_ text: String) -> Result<Duration, Failure> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (suffix, millisecondsPerUnit) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count)
            guard !number.isEmpty, let value = Double(number), !value.isNaN else {
                return .failure(.malformed)
            }
            guard value >= 0 else { return .failure(.negative) }
            let milliseconds = value * millisecondsPerUnit
            // Compared as a Double: past `largest` the conversion to Int64 below would trap.
            guard milliseconds.isFinite, milliseconds <= Double(largest.milliseconds) else {
                return .failure(.tooLarge)
            }
            return .success(.milliseconds(Int64(milliseconds.rounded())))
        }
        return Double(trimmed) != nil ? .failure(.noUnit) : .failure(.malformed)
    }

    /// Formats a duration the way `parse` reads it back: `250ms`, `1s`, `1.5s`.
    public static func format(_ duration: Duration) -> String {
        let milliseconds = duration.milliseconds
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        return "\(Double(milliseconds) / 1000)s"
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded down.
    ///
    /// Requires `|self|` below about 292 million years (whole milliseconds in an `Int64`): a
    /// configuration's durations are far below (`ConfigLimits.longestDuration`), and durations
    /// received from peers are bounded when they are read (`WireLimits.longestDuration`).
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

extension Duration {
    /// `1.234s`: seconds with three decimals, for messages.
    public var formattedSeconds: String {
        let ms = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        let fraction = String(ms % 1000)
        return "\(ms / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)s"
    }
}
