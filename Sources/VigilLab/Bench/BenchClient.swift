import Foundation
import VigilRuntime
import VigilTestbed

#if canImport(Glibc)
import Glibc
#endif

/// The client side of a failover measurement: `vigil testbed probe` running in vt-client against one
/// service, its answers (monotonic time, answering node) collected from its output as they come.
final class BenchClient: Sendable {
    /// The answers so far, oldest first, behind a lock (the reader thread appends).
    final class Answers: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [(time: UInt64, node: String)] = []
        func withLock<T>(_ body: (inout [(time: UInt64, node: String)]) -> T) -> T { lock.withLock { body(&list) } }
    }
    private let answers = Answers()
    private let process: Process

    /// Starts the probe in vt-client: a connection to `endpoint` every `interval`.
    init(vigil: String, endpoint: String, interval: String = "10ms") throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "ip", "netns", "exec", TestbedLayout.clientNamespace, vigil, "testbed", "probe", endpoint, "--interval",
            interval,
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let reader = pipe.fileHandleForReading
        let thread = Thread { [answers] in
            var pending = Data()
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { return }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    let words = line.split(separator: " ", maxSplits: 1)
                    guard words.count == 2, let time = UInt64(words[0]) else { continue }
                    answers.withLock { $0.append((time, String(words[1]))) }
                }
            }
        }
        thread.name = "vigil-bench-client"
        thread.start()
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        answers.withLock { $0.removeAll() }
    }

    /// Forgets answers older than `time` (keeping the last one before it).
    func forget(before time: UInt64) {
        answers.withLock { list in
            guard let keep = list.lastIndex(where: { $0.time < time }) else { return }
            list.removeFirst(keep)
        }
    }

    /// The last answer, if any.
    var last: (time: UInt64, node: String)? { answers.withLock { $0.last } }

    /// The first answer after `time` from a node `accepted`, or nil.
    func firstAnswer(after time: UInt64, where accepted: (String) -> Bool) -> (time: UInt64, node: String)? {
        answers.withLock { list in list.first { $0.time > time && accepted($0.node) } }
    }

    /// The longest stretch between two answers that ends after `start` and no later than `end`,
    /// counting from the last answer before `start`; nil if there is no answer after `start`.
    func longestGap(from start: UInt64, to end: UInt64) -> UInt64? {
        answers.withLock { list in
            guard let first = list.firstIndex(where: { $0.time > start }) else { return nil }
            var previous = first > 0 ? list[first - 1].time : start
            var longest: UInt64 = 0
            for answer in list[first...] where answer.time <= end {
                longest = max(longest, answer.time - previous)
                previous = answer.time
            }
            return longest
        }
    }

    /// Waits until the client has answers from `node`-accepted nodes steadily: an answer after
    /// `time`, then `quiet` more of answers with no gap longer than `maxGap`. Returns the first
    /// accepted answer's time, or nil after `limit`.
    func waitForService(after time: UInt64, accepted: @escaping (String) -> Bool, limit: Duration) async -> UInt64? {
        let deadline = MonotonicClock.nanoseconds() + UInt64(limit.nanoseconds)
        while MonotonicClock.nanoseconds() < deadline {
            if let first = firstAnswer(after: time, where: accepted) {
                // Let a few more answers arrive: the gap is over only when the service answers again.
                try? await Task.sleep(for: .milliseconds(300))
                return first.time
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}

/// The cluster logs of the test bed's nodes: the first event each fault raised, with its time.
struct ClusterLogWatch {
    let layout: TestbedLayout

    /// The first `EVENT START:` line, in any node's cluster.log, stamped at or after `wallMilliseconds`
    /// (the logs carry wall-clock milliseconds): its time and text.
    func firstEvent(since wallMilliseconds: Int64, matching: (String) -> Bool = { _ in true }) -> (
        time: Int64, text: String
    )? {
        events(since: wallMilliseconds).first { matching($0.text) }
    }

    /// Every `EVENT START:` line stamped at or after `wallMilliseconds`, oldest first.
    func events(since wallMilliseconds: Int64) -> [(time: Int64, text: String)] {
        lines(since: wallMilliseconds) { $0.contains("EVENT START:") }
    }

    /// Every line of every node's `log` (cluster.log, or vigil.log for everything) stamped at or
    /// after `wallMilliseconds` that `matching` accepts, oldest first (a stable sort: one node's
    /// lines of one millisecond keep their order).
    func lines(
        since wallMilliseconds: Int64, in log: String = "cluster.log", matching: (Substring) -> Bool = { _ in true }
    ) -> [(time: Int64, text: String)] {
        var found: [(time: Int64, text: String)] = []
        for node in layout.config.nodes.map(\.name) {
            guard let text = try? String(contentsOfFile: "\(layout.stateDirectory(node))/\(log)", encoding: .utf8)
            else { continue }
            for line in text.split(separator: "\n") where matching(line) {
                guard let time = Self.time(of: line), time >= wallMilliseconds else { continue }
                found.append((time, String(line)))
            }
        }
        return found.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }

    /// The wall-clock milliseconds of a line `2026-11-22T08:12:48.308Z NODE ...`.
    static func time(of line: Substring) -> Int64? {
        guard let stamp = line.split(separator: " ", maxSplits: 1).first else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = formatter.date(from: String(stamp)) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}
