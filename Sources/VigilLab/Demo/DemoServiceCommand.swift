import ArgumentParser
import Foundation
import VigilModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `vigil demo-service`: the small TCP service that stands in for every application of the demo
/// cluster (examples/scream-local.yaml), its probe and its stop. Hidden from `vigil --help`: only the
/// demo's configuration runs it.
struct DemoServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-service",
        abstract: "The demo cluster's application: a TCP service that answers with its node's name.",
        shouldDisplay: false,
        subcommands: [Serve.self, Probe.self, Stop.self]
    )

    /// `vigil demo-service serve --listen ADDR:PORT --name NAME [--pid-file F]`.
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Answer every connection with NAME and a newline, until SIGTERM.")

        @Option(help: "The address and port to listen on (ADDRESS:PORT).")
        var listen: String

        @Option(help: "What to answer (the node's name).")
        var name: String

        @Option(help: "Write this process's pid here once listening; removed on exit.")
        var pidFile: String?

        func validate() throws {
            guard DemoEndpoint(listen) != nil else {
                throw ValidationError("--listen '\(listen)' is not ADDRESS:PORT (e.g. 127.77.2.187:7002)")
            }
            guard !name.isEmpty, !name.contains("\n") else {
                throw ValidationError("--name must be one non-empty line (is VIGIL_NODE set?)")
            }
        }

        func run() throws {
            DemoSignals.install()
            let service: DemoService
            do { service = try DemoService(endpoint: DemoEndpoint(listen)!, name: name) } catch {
                throw DemoCommandFailure("demo-service: \(error)")
            }
            if let pidFile { try DemoPidFile.write(pidFile) }
            demoPrint("demo-service: \(name) listening on \(listen)")
            service.serve(untilSignal: true)
            if let pidFile, DemoPidFile.read(pidFile) == getpid(), let problem = DemoProcesses.remove(pidFile) {
                demoPrint("demo-service: \(problem)")
            }
            demoPrint("demo-service: \(name) stopped after \(service.answeredCount) connections")
        }
    }

    /// `vigil demo-service probe ADDR:PORT [--timeout 100ms] [--expect NAME]`.
    struct Probe: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect, read one line and print it; exit 1 on no answer.")

        @Argument(help: "The service's address and port (ADDRESS:PORT).")
        var endpoint: String

        @Option(help: "How long to wait for the connection and the line, with its unit (100ms, 2s).")
        var timeout: String = "100ms"

        @Option(help: "Fail (exit 1) unless the answer is this name. An empty value accepts any answer.")
        var expect: String?

        func validate() throws {
            guard DemoEndpoint(endpoint) != nil else {
                throw ValidationError("'\(endpoint)' is not ADDRESS:PORT (e.g. 127.77.2.187:7002)")
            }
            guard let duration = DurationText.parse(timeout), duration > .zero else {
                throw ValidationError("--timeout '\(timeout)' is not a duration with a unit (100ms, 2s)")
            }
        }

        func run() throws {
            let answer: String
            do { answer = try DemoSocket.askLine(DemoEndpoint(endpoint)!, timeout: DurationText.parse(timeout)!) } catch
            {
                FileHandle.standardError.write(Data("demo-service: \(error)\n".utf8))
                throw ExitCode(1)
            }
            demoPrint(answer)
            if let expect, !expect.isEmpty, answer != expect {
                FileHandle.standardError.write(
                    Data("demo-service: \(endpoint) answered \(answer), not \(expect)\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    /// `vigil demo-service stop --pid-file F [--timeout 5s]`.
    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "SIGTERM the demo service whose pid is in the file and wait for it to end.")

        @Option(help: "The pid file the service wrote.")
        var pidFile: String

        @Option(help: "How long to wait for it to end before failing, with its unit.")
        var timeout: String = "5s"

        func validate() throws {
            guard let duration = DurationText.parse(timeout), duration > .zero else {
                throw ValidationError("--timeout '\(timeout)' is not a duration with a unit (5s)")
            }
        }

        func run() throws {
            // No file, or a pid that is no longer a demo service: nothing of ours runs. Stopping is
            // idempotent, as the daemon's drivers expect.
            guard let pid = DemoPidFile.read(pidFile), DemoPidFile.isDemoService(pid) else {
                if let problem = DemoProcesses.remove(pidFile) { throw DemoCommandFailure("demo-service: \(problem)") }
                return
            }
            kill(pid, SIGTERM)
            guard DemoProcesses.waitGone(pid, timeout: DurationText.parse(timeout)!) else {
                throw DemoCommandFailure("demo-service: pid \(pid) still runs \(timeout) after SIGTERM")
            }
            if let problem = DemoProcesses.remove(pidFile) { throw DemoCommandFailure("demo-service: \(problem)") }
        }
    }
}

/// A failure a demo command reports on standard error before exiting with status 1.
struct DemoCommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
