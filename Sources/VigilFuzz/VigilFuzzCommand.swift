import ArgumentParser
import Foundation
import VigilFuzzKit

/// `vigil-fuzz`: runs the decoders that face the network and the disk (packets, authenticated
/// payloads, disk slot records, the tiebreaker record), the admin request decoder and, when asked,
/// the configuration loader on random and mutated inputs, deterministically from a seed
/// (docs/fuzzing.md).
@main
struct VigilFuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil-fuzz",
        abstract: "Fuzz Vigil's decoders with random and mutated inputs, from a seed.",
        discussion: """
            For each decoder, inputs start..<start+count: an eighth pure random bytes, the rest mutations of \
            valid encodings (bit flips, extreme integers in length fields, truncations, extensions, splices; \
            payloads re-signed with the cluster key; disk records with their checksum rewritten; JSON and YAML \
            edited as text). Prints per decoder the inputs, accepted, rejected by kind, the slowest input and the \
            total time. An input taking more than 1 s aborts the run (a hang); a trap or crash names the decoder, \
            seed and input. Exits 1 if a check failed (an accepted envelope that does not encode back to itself).
            """
    )

    @Option(help: "Inputs per decoder.")
    var count = 1_000_000

    @Option(help: "The run's seed: the same seed makes the same inputs.")
    var seed: UInt64 = 1

    @Option(help: "The first input's index.")
    var start = 0

    @Option(help: "Inputs between two progress lines (1: a line before every input).")
    var batch = 10_000

    @Option(
        help: ArgumentHelp(
            "Comma-separated decoders: packet, envelope, disk, tiebreaker, admin, config (default: all but config)."))
    var only: String?

    @Option(help: "The examples directory: scream.yaml and the configurations the config decoder mutates.")
    var examples = "examples"

    @Option(help: "Print input --index of this seed in hex, then run it (with --only).")
    var replay: UInt64?

    @Option(help: "The input to --replay.")
    var index: Int?

    /// Runs the command with Swift's hashing made deterministic: sets and dictionaries are laid
    /// out by a per-process hash seed, and the corpus holds encodings of them, so without it the
    /// same seed would not make the same inputs and `--replay` would not find a finding again.
    /// Without `SWIFT_DETERMINISTIC_HASHING` in its environment the process starts itself again
    /// with it (the hash seed is fixed before `main` runs).
    static func main() {
        let variable = "SWIFT_DETERMINISTIC_HASHING"
        if getenv(variable) == nil {
            setenv(variable, "1", 1)
            let arguments = CommandLine.unsafeArgv
            execv("/proc/self/exe", arguments)
            // execv returns only on failure: go on, nondeterministically, and say so.
            FileHandle.standardError.write(
                Data("vigil-fuzz: could not start again with \(variable)=1; inputs may differ between runs\n".utf8))
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }

    func validate() throws {
        guard count >= 0, start >= 0, batch >= 1 else {
            throw ValidationError("--count and --start must be 0 or more, --batch 1 or more")
        }
        guard (replay == nil) == (index == nil) else {
            throw ValidationError("--replay SEED and --index N go together")
        }
    }

    func run() throws {
        let targets = try selected(Targets(corpus: Corpus(examples: examples)).all)
        if let replay, let index {
            for target in targets { show(target, seed: replay, index: index) }
            return
        }
        Watchdog.start()
        let runner = Runner(seed: seed, start: start, count: count, batch: batch)
        var reports: [Runner.Report] = []
        for target in targets {
            let report = runner.run(target)
            reports.append(report)
            print(runner.lines(report).joined(separator: "\n"))
            fflush(nil)  // a later crash or hang must not lose the reports already made
        }
        print(summary(reports))
        if reports.contains(where: { $0.findings > 0 }) { throw ExitCode(1) }
    }

    func selected(_ all: [FuzzTarget]) throws -> [FuzzTarget] {
        guard let only else { return all.filter(\.inDefaultSet) }
        let names = only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return try names.map { name in
            guard let target = all.first(where: { $0.name == name }) else {
                let names = all.map(\.name).joined(separator: ", ")
                throw ValidationError("--only: no decoder \(name); decoders: \(names)")
            }
            return target
        }
    }

    /// Input `index` of `seed` for `target`: its length, its bytes in hex (and as text for text
    /// decoders), then what the decoder does with it.
    func show(_ target: FuzzTarget, seed: UInt64, index: Int) {
        var random = FuzzRandom(seed: seed, stream: target.name, index: UInt64(index))
        let clock = ContinuousClock()
        var input: [UInt8] = []
        let making = clock.measure { input = target.make(&random) }
        print("\(target.name): seed \(seed), input \(index): \(input.count) bytes, made in \(Runner.format(making))")
        for offset in stride(from: 0, to: input.count, by: 16) {
            let row = input[offset..<min(input.count, offset + 16)]
            let hex = row.map { String(format: "%02x", $0) }.joined(separator: " ")
            let ascii = String(row.map { (0x20..<0x7F).contains($0) ? Character(UnicodeScalar($0)) : "." })
            let column = hex.padding(toLength: 48, withPad: " ", startingAt: 0)
            print(String(format: "%08x  ", offset) + column + "  " + ascii)
        }
        if target.isText { print("as text:\n\(String(decoding: input, as: UTF8.self))") }
        fflush(nil)  // shown before the decoder runs, in case it traps
        var outcome = Outcome.accepted
        let running = clock.measure { outcome = target.run(input) }
        print("\(target.name): \(outcome) in \(Runner.format(running))")
    }

    /// One table of every decoder's figures, for docs/fuzzing.md.
    func summary(_ reports: [Runner.Report]) -> String {
        var lines = [
            "", "| decoder | inputs | accepted | rejected | findings | slowest | total |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for report in reports {
            let rejected = report.rejectedCount - report.findings
            lines.append(
                "| \(report.name) | \(report.inputs) | \(report.accepted) | \(rejected) | "
                    + "\(report.findings) | \(Runner.format(report.slowest.time)) | \(Runner.format(report.total)) |")
        }
        return lines.joined(separator: "\n")
    }
}
