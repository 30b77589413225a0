import ArgumentParser
import Foundation
import VigilModel

/// `vigil testbed probe ADDRESS:PORT`: the benchmark's client (`AnswerProbe`), run by `vigil bench`
/// in vt-client. Prints `MONOTONIC_NANOSECONDS ANSWER` for every answer, until killed.
struct TestbedProbe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract:
            "Connect to a TCP service every --interval and print each answer with its monotonic time (runs until "
            + "killed)."
    )

    @Argument(help: "The service (ADDRESS:PORT).")
    var endpoint: String

    @Option(help: "Time between two connection attempts, with its unit.")
    var interval: String = "10ms"

    @Option(help: "How long an attempt may take to answer, with its unit.")
    var timeout: String = "200ms"

    func validate() throws {
        guard DemoEndpoint(endpoint) != nil else { throw ValidationError("'\(endpoint)' is not ADDRESS:PORT") }
        for (name, text) in [("--interval", interval), ("--timeout", timeout)] {
            guard let duration = DurationText.parse(text), duration >= .milliseconds(1), duration <= .seconds(10) else {
                throw ValidationError("\(name) '\(text)' is not a duration with a unit between 1ms and 10s (10ms)")
            }
        }
    }

    func run() throws {
        let probe = AnswerProbe(
            endpoint: DemoEndpoint(endpoint)!, period: DurationText.parse(interval)!,
            timeout: DurationText.parse(timeout)!)
        probe.run { time, answer in
            print("\(time) \(answer)")
            fflush(nil)  // each answer as it comes: the benchmark reads them from a pipe
        }
    }
}
