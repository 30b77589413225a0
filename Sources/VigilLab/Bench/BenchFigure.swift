import Foundation

/// One measured figure of `vigil bench`: its samples and how it prints,
/// `NAME value unit (min=.. p50=.. p99=.. max=.., N runs)`, where the value is the median.
struct BenchFigure: Sendable {
    var name: String
    var unit: String
    var samples: [Double]
    /// Printed after the figure's line when set: what the figure could not include, and why.
    var note: String?

    var sorted: [Double] { samples.sorted() }
    var min: Double { sorted.first ?? .nan }
    var max: Double { sorted.last ?? .nan }
    var p50: Double { percentile(50) }
    var p99: Double { percentile(99) }

    /// The nearest-rank percentile (of 20 samples, p99 is the largest).
    func percentile(_ p: Double) -> Double {
        let values = sorted
        guard !values.isEmpty else { return .nan }
        let rank = Int((p / 100 * Double(values.count)).rounded(.up))
        return values[Swift.max(0, Swift.min(values.count - 1, rank - 1))]
    }

    var line: String {
        let n = samples.count
        return
            "\(name) \(Self.format(p50)) \(unit) (min=\(Self.format(min)) p50=\(Self.format(p50)) "
            + "p99=\(Self.format(p99)) max=\(Self.format(max)), \(n) run\(n == 1 ? "" : "s"))"
    }

    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        if value == value.rounded(), abs(value) >= 100 { return String(Int(value)) }
        return String(format: abs(value) >= 100 ? "%.0f" : abs(value) >= 10 ? "%.1f" : "%.3f", value)
    }
}

/// A number to reach: a statistic of a figure against a limit (at most, or at least).
struct BenchTarget: Sendable {
    enum Statistic: String, Sendable { case p50, p99, max, min }
    var figure: String
    var statistic: Statistic
    var atMost: Double
    var unit: String

    func value(of figure: BenchFigure) -> Double {
        switch statistic {
        case .p50: figure.p50
        case .p99: figure.p99
        case .max: figure.max
        case .min: figure.min
        }
    }

    /// `target NAME STAT <= LIMIT UNIT: VALUE ok|MISSED`.
    func check(_ figure: BenchFigure?) -> (line: String, met: Bool) {
        guard let figure, !figure.samples.isEmpty else {
            return (
                "target \(self.figure) \(statistic) <= \(BenchFigure.format(atMost)) \(unit): not measured MISSED",
                false
            )
        }
        let value = value(of: figure)
        let met = value.isFinite && value <= atMost
        return (
            "target \(self.figure) \(statistic) <= \(BenchFigure.format(atMost)) \(unit): "
                + "\(BenchFigure.format(value)) \(met ? "ok" : "MISSED")",
            met
        )
    }
}

/// What `vigil bench` has measured so far; prints each figure as it is made.
final class BenchReport: @unchecked Sendable {
    private let lock = NSLock()
    private var figures: [String: BenchFigure] = [:]
    private var order: [String] = []

    func add(_ figure: BenchFigure) {
        lock.withLock {
            if figures[figure.name] == nil { order.append(figure.name) }
            figures[figure.name] = figure
        }
        print(figure.line)
        if let note = figure.note { print("  \(note)") }
        fflush(nil)
    }

    func figure(_ name: String) -> BenchFigure? { lock.withLock { figures[name] } }

    func say(_ line: String) {
        print(line)
        fflush(nil)
    }
}
