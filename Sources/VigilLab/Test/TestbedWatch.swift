import ArgumentParser
import Foundation
import VigilModel

/// `vigil testbed watch ADDR:PORT...`: the test bed's client. Run in vt-client by `vigil test`, it
/// asks every endpoint for a line every `--interval` and prints a line whenever an endpoint's answer
/// changes: `MILLISECONDS_SINCE_EPOCH ENDPOINT ANSWER` (`-` for no answer). From these lines the run
/// tells how long a client saw no answer during each case.
struct TestbedWatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Probe TCP services and print every change of answer, with the time (runs until killed).")

    @Argument(help: "The services (ADDRESS:PORT).")
    var endpoints: [String]

    @Option(help: "Time between two rounds of probes, with its unit.")
    var interval: String = "50ms"

    @Option(help: "How long one probe waits for its answer, with its unit.")
    var timeout: String = "100ms"

    func validate() throws {
        for endpoint in endpoints where DemoEndpoint(endpoint) == nil {
            throw ValidationError("'\(endpoint)' is not ADDRESS:PORT")
        }
        for (name, text) in [("--interval", interval), ("--timeout", timeout)] {
            guard let duration = DurationText.parse(text), duration > .zero, duration <= .seconds(10) else {
                throw ValidationError("\(name) '\(text)' is not a duration with a unit of at most 10s (50ms)")
            }
        }
    }

    func run() throws {
        let targets = endpoints.map { ($0, DemoEndpoint($0)!) }
        let wait = DurationText.parse(interval)!
        let limit = DurationText.parse(timeout)!
        var last: [String: String] = [:]
        while true {
            for (text, endpoint) in targets {
                let answer: String
                do { answer = try DemoSocket.askLine(endpoint, timeout: limit) } catch { answer = "-" }
                if last[text] != answer {
                    last[text] = answer
                    demoPrint("\(Int64(Date().timeIntervalSince1970 * 1000)) \(text) \(answer)")
                }
            }
            Thread.sleep(forTimeInterval: Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18)
        }
    }
}
