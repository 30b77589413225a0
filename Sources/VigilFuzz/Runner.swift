import Foundation
import VigilFuzzKit

/// Runs inputs `start..<start + count` of a target, batch by batch, and counts what they did.
struct Runner {
    let seed: UInt64
    let start: Int
    let count: Int
    /// Inputs between two progress lines. Each line names the decoder, the seed and the first
    /// input of the batch, so that a crash the handler could not report is found again by running
    /// that batch with `--start FIRST --count BATCH --batch 1`.
    let batch: Int

    /// What one target's inputs did.
    struct Report {
        var name: String
        var inputs = 0
        var accepted = 0
        var rejected: [String: Int] = [:]
        /// The first input of each kind of finding (`Checks.failure`), for replay.
        var firstFinding: [String: Int] = [:]
        var slowest: (time: Duration, index: Int) = (.zero, 0)
        var total: Duration = .zero

        var rejectedCount: Int { rejected.values.reduce(0, +) }
        var findings: Int { rejected.filter { $0.key.hasPrefix(Checks.failure) }.values.reduce(0, +) }
    }

    func run(_ target: FuzzTarget) -> Report {
        var report = Report(name: target.name)
        Watchdog.describe(decoder: target.name, seed: seed)
        let end = start + count
        for batchStart in stride(from: start, to: end, by: max(1, batch)) {
            let batchEnd = min(end, batchStart + max(1, batch))
            progress("\(target.name): seed \(seed), inputs \(batchStart)..<\(batchEnd)")
            for index in batchStart..<batchEnd {
                var random = FuzzRandom(seed: seed, stream: target.name, index: UInt64(index))
                let input = target.make(&random)
                Watchdog.begin(index: UInt64(index))
                let began = Watchdog.now()
                let outcome = target.run(input)
                let elapsed = Duration.nanoseconds(Int64(Watchdog.now() - began))
                Watchdog.end()
                record(outcome, index: index, elapsed: elapsed, into: &report)
            }
        }
        return report
    }

    private func record(_ outcome: Outcome, index: Int, elapsed: Duration, into report: inout Report) {
        report.inputs += 1
        report.total += elapsed
        if elapsed > report.slowest.time { report.slowest = (elapsed, index) }
        switch outcome {
        case .accepted: report.accepted += 1
        case .rejected(let kind):
            report.rejected[kind, default: 0] += 1
            if kind.hasPrefix(Checks.failure), report.firstFinding[kind] == nil {
                report.firstFinding[kind] = index
                progress("\(report.name): finding at input \(index): \(kind)")
            }
        }
    }

    func progress(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// The lines of one report: totals, the slowest input, the rejections by kind, the findings.
    func lines(_ report: Report) -> [String] {
        let perInput = report.inputs > 0 ? report.total / report.inputs : .zero
        var lines = [
            "\(report.name): \(report.inputs) inputs (seed \(seed), from \(start)), \(report.accepted) accepted, "
                + "\(report.rejectedCount) rejected; total \(Self.format(report.total)), "
                + "\(Self.format(perInput)) per input; "
                + "slowest \(Self.format(report.slowest.time)) (input \(report.slowest.index))"
        ]
        for (kind, number) in report.rejected.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
            lines.append("    \(kind): \(number)")
        }
        for (kind, index) in report.firstFinding.sorted(by: { $0.value < $1.value }) {
            let replay = "vigil-fuzz --only \(report.name) --replay \(seed) --index \(index)"
            lines.append("    FINDING \(kind): first at input \(index); \(replay)")
        }
        return lines
    }

    /// `1.23 s`, `45.6 ms`, `7.8 µs`.
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = Double(seconds) * 1e9 + Double(attoseconds) / 1e9
        switch nanoseconds {
        case 1e9...: return String(format: "%.2f s", nanoseconds / 1e9)
        case 1e6...: return String(format: "%.1f ms", nanoseconds / 1e6)
        case 1e3...: return String(format: "%.1f µs", nanoseconds / 1e3)
        default: return String(format: "%.0f ns", nanoseconds)
        }
    }
}
