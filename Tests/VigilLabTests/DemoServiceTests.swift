import ArgumentParser
import Foundation
import Testing
import VigilRuntime
@testable import VigilLab
import VigilRoot

/// The demo's application over real loopback sockets: serve, probe, the probe loop's gap.
@Suite("vigil demo-service")
struct DemoServiceTests {
    /// A service answering `name` on a free port of 127.77.250.1, serving on a thread of its own
    /// until `stop()`.
    final class Running: Sendable {
        let service: DemoService
        private let done = DispatchSemaphore(value: 0)

        init(name: String, endpoint: DemoEndpoint? = nil) throws {
            service = try Self.bind(name: name, endpoint: endpoint)
            let thread = Thread { [service, done] in
                service.serve()
                done.signal()
            }
            thread.start()
        }

        private static func bind(name: String, endpoint: DemoEndpoint?) throws -> DemoService {
            if let endpoint { return try DemoService(endpoint: endpoint, name: name) }
            var lastError: DemoSocketError?
            for _ in 0..<20 {
                let port = UInt16.random(in: 20_000...60_000)
                do { return try DemoService(endpoint: DemoEndpoint("127.77.250.1:\(port)")!, name: name) } catch {
                    lastError = error
                }
            }
            throw lastError!
        }

        var endpoint: DemoEndpoint { service.endpoint }

        /// Ends the serving thread and waits for it (at most 2 s).
        func stop() {
            service.stop()
            #expect(done.wait(timeout: .now() + 2) == .success, "the service thread did not end")
        }
    }

    @Test("a probe reads the node's name from a real socket; the probe command prints it and checks --expect")
    func roundTrip() throws {
        let running = try Running(name: "ghost3")
        defer { running.stop() }
        #expect(try DemoSocket.askLine(running.endpoint, timeout: .seconds(1)) == "ghost3")
        #expect(try DemoSocket.askLine(running.endpoint, timeout: .seconds(1)) == "ghost3")
        #expect(running.service.answeredCount == 2)

        let probe = try #require(try VigilCommand.parseAsRoot(
            ["demo-service", "probe", "\(running.endpoint)", "--timeout", "1s", "--expect", "ghost3"]) as? DemoServiceCommand.Probe)
        try probe.run()
        let wrong = try #require(try VigilCommand.parseAsRoot(
            ["demo-service", "probe", "\(running.endpoint)", "--timeout", "1s", "--expect", "ghost4"]) as? DemoServiceCommand.Probe)
        #expect(throws: ExitCode(1)) { try wrong.run() }
    }

    @Test("nobody listening: the probe fails, the command exits 1")
    func noAnswer() throws {
        let running = try Running(name: "ghost4")
        let endpoint = running.endpoint
        running.stop()
        withExtendedLifetime(running) {}
        #expect(throws: DemoSocketError.self) { try DemoSocket.askLine(endpoint, timeout: .milliseconds(200)) }
        let probe = try #require(try VigilCommand.parseAsRoot(["demo-service", "probe", "\(endpoint)"]) as? DemoServiceCommand.Probe)
        #expect(throws: ExitCode(1)) { try probe.run() }
    }

    @Test("the probe loop measures the stretch without an answer while the service moves")
    func probeLoopGap() throws {
        let first = try Running(name: "ghost3")
        let endpoint = first.endpoint
        let loop = DemoProbeLoop(endpoint: endpoint, period: .milliseconds(10), attemptTimeout: .milliseconds(100))
        loop.start()
        defer { loop.stop() }
        try waitUntil { loop.record.lastAnswer == "ghost3" }
        first.stop()
        withExtendedLifetime(first) {}
        Thread.sleep(forTimeInterval: 0.4)
        let second = try Running(name: "ghost4", endpoint: endpoint)
        defer { second.stop() }
        try waitUntil { loop.record.lastAnswer == "ghost4" }
        let record = loop.record
        #expect(record.answersSeen == ["ghost3", "ghost4"])
        #expect(record.gapFrom == "ghost3" && record.gapTo == "ghost4")
        #expect(record.longestGap >= .milliseconds(400) && record.longestGap < .seconds(20), "gap \(record.longestGap)")
        #expect(record.attempts > record.answers)
        #expect(record.gapEndedAt == record.lastAnswerAt || record.gapEndedAt! < record.lastAnswerAt!)
        loop.resetLongestGap()
        #expect(loop.record.longestGap < .milliseconds(400) && loop.record.gapFrom == nil)
    }

    @Test("stop ends the service named by the pid file only if it is a demo service")
    func stopCommandIgnoresOtherProcesses() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-demo-test-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { _ = DemoProcesses.remove(directory.path) }
        let pidFile = directory.appendingPathComponent("other.pid").path
        // Our own test process is alive but is no demo service: stop must not signal it.
        try DemoPidFile.write(pidFile, pid: getpid())
        #expect(!DemoPidFile.isDemoService(getpid()))
        let stop = try #require(try VigilCommand.parseAsRoot(["demo-service", "stop", "--pid-file", pidFile]) as? DemoServiceCommand.Stop)
        try stop.run()
        #expect(!FileManager.default.fileExists(atPath: pidFile))
    }

    func waitUntil(_ condition: () -> Bool) throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !condition() {
            try #require(ContinuousClock.now < deadline, "condition not met within 5s")
            Thread.sleep(forTimeInterval: 0.01)
        }
    }
}
