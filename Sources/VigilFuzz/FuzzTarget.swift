import VigilFuzzKit

/// What one input did: accepted by the decoder, or rejected with a kind of error (named for the
/// report, e.g. `badTag` or `malformedPayload/json`).
enum Outcome: Sendable, Equatable {
    case accepted
    case rejected(String)
}

/// One decoder under fuzzing: how to make an input from its generator, and how to run one input
/// through the decoder (and what stands behind it).
struct FuzzTarget {
    /// The name `--only` takes.
    let name: String
    /// What it decodes, for the report.
    let summary: String
    /// Makes an input: random bytes, or a mutation of a valid encoding.
    let make: (inout FuzzRandom) -> [UInt8]
    /// Runs one input through the decoder. It must return for every input: a trap ends the run.
    let run: ([UInt8]) -> Outcome
    /// Whether a run without `--only` includes it (the configuration fuzzer is slower: opt-in).
    let inDefaultSet: Bool
    /// Whether `--replay` also shows the input as text.
    let isText: Bool

    /// `make`'s inputs are cut to `maximumInput` bytes: the most that can reach the decoder (the
    /// largest datagram, a disk slot, the longest request line, the largest configuration file)
    /// and one more, so that the decoder's own size check is reached too.
    init(
        name: String, summary: String, maximumInput: Int, inDefaultSet: Bool = true, isText: Bool = false,
        make: @escaping (inout FuzzRandom) -> [UInt8], run: @escaping ([UInt8]) -> Outcome
    ) {
        self.name = name
        self.summary = summary
        self.make = { random in
            let input = make(&random)
            return input.count > maximumInput ? Array(input.prefix(maximumInput)) : input
        }
        self.run = run
        self.inDefaultSet = inDefaultSet
        self.isText = isText
    }
}
