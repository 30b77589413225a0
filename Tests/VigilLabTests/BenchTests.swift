import Foundation
import Testing
import VigilModel
@testable import VigilLab

/// The pieces of `vigil bench` that run without a test bed: the figures' statistics and lines, the
/// targets, the generated cost clusters, and the client's probe against a real loopback service.
@Suite("vigil bench")
struct BenchTests {
    @Test("a figure prints its median, nearest-rank percentiles and run count")
    func figureLine() {
        let figure = BenchFigure(name: "gap.crash", unit: "s", samples: (1...20).map { Double($0) / 10 })
        #expect(figure.min == 0.1 && figure.max == 2.0)
        #expect(figure.p50 == 1.0)
        #expect(figure.p99 == 2.0)
        #expect(figure.line == "gap.crash 1.000 s (min=0.100 p50=1.000 p99=2.000 max=2.000, 20 runs)")
        #expect(BenchFigure(name: "x", unit: "s", samples: []).line == "x n/a s (min=n/a p50=n/a p99=n/a max=n/a, 0 runs)")
        #expect(BenchFigure(name: "b", unit: "B/s", samples: [1234]).line == "b 1234 B/s (min=1234 p50=1234 p99=1234 max=1234, 1 run)")
    }

    @Test("a target is met at or under its limit, missed above it or when nothing was measured")
    func targets() {
        let target = BenchTarget(figure: "gap.move", statistic: .p99, atMost: 0.5, unit: "s")
        let fast = BenchFigure(name: "gap.move", unit: "s", samples: [0.1, 0.2, 0.5])
        let slow = BenchFigure(name: "gap.move", unit: "s", samples: [0.1, 0.2, 0.7])
        #expect(target.check(fast) == ("target gap.move p99 <= 0.500 s: 0.500 ok", true))
        #expect(target.check(slow).met == false)
        #expect(target.check(slow).line.hasSuffix("0.700 MISSED"))
        #expect(target.check(nil) == ("target gap.move p99 <= 0.500 s: not measured MISSED", false))
        #expect(target.check(BenchFigure(name: "gap.move", unit: "s", samples: [])).met == false)
    }

    @Test("the generated cost clusters load and verify without errors", arguments: [2, 4, 16, 32, 64])
    func costClusters(size: Int) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-bench-test-\(size)-\(getpid()).yaml").path
        try BenchClusterFile.yaml(nodes: size).write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let loaded = try ConfigLoader.load(contentsOf: path)
        #expect(Verifier.verify(loaded).filter { $0.severity == .error }.isEmpty)
        #expect(loaded.config.nodes.count == size)
        #expect(loaded.config.resourceGroups.count == size)
        #expect(Set(loaded.config.serviceAddresses.map(\.address)).count == size)
    }

    @Test("the probe sees every answer, and the stretch without one while the service is away")
    func probeMeasuresTheGap() throws {
        let first = try DemoServiceTests.Running(name: "one")
        let endpoint = first.endpoint
        let answers = BenchClient.Answers()
        let stopping = LockedFlag()
        let done = DispatchSemaphore(value: 0)
        let probe = AnswerProbe(endpoint: endpoint, period: .milliseconds(10), timeout: .milliseconds(200))
        Thread {
            probe.run(until: { stopping.value }) { time, node in answers.withLock { $0.append((time, node)) } }
            done.signal()
        }.start()
        Thread.sleep(forTimeInterval: 0.3)
        first.stop()
        Thread.sleep(forTimeInterval: 0.4)
        let second = try DemoServiceTests.Running(name: "two", endpoint: endpoint)
        Thread.sleep(forTimeInterval: 0.3)
        stopping.set()
        #expect(done.wait(timeout: .now() + 5) == .success)
        second.stop()
        let list = answers.withLock { $0 }
        #expect(list.contains { $0.node == "one" } && list.contains { $0.node == "two" })
        #expect(list.count >= 10, "answers: \(list.count)")
        let gaps = zip(list, list.dropFirst()).map { Double($1.time - $0.time) / 1e9 }
        #expect((gaps.max() ?? 0) >= 0.4, "longest gap \(gaps.max() ?? 0)")
    }
}

/// A flag one thread sets and another reads.
final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    var value: Bool { lock.withLock { flag } }
    func set() { lock.withLock { flag = true } }
}
