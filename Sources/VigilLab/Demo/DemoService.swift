import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The demo's application: a TCP service that answers every connection with its node's name and a
/// newline, then closes it. One thread, `poll` with a short timeout so that a stop request (SIGTERM,
/// or `stop()` in tests) is noticed within `pollMilliseconds`.
final class DemoService: Sendable {
    let endpoint: DemoEndpoint
    let name: String
    private let listener: Int32
    private let stopping = Atomic<Bool>(false)
    private let closed = Atomic<Bool>(false)
    /// Connections accepted and answered so far (counted before the answer is written).
    private let answered = Atomic<Int>(0)
    static let pollMilliseconds: Int32 = 50

    /// Binds and listens at once, so that a caller knows the address is taken when this returns.
    init(endpoint: DemoEndpoint, name: String) throws(DemoSocketError) {
        self.endpoint = endpoint
        self.name = name
        self.listener = try DemoSocket.listen(on: endpoint)
    }

    deinit { closeListener() }

    /// Closes the listening socket once (so that another service may bind the address at once).
    private func closeListener() {
        if !closed.exchange(true, ordering: .relaxed) { close(listener) }
    }

    var answeredCount: Int { answered.load(ordering: .relaxed) }

    /// Ends `serve()` within one poll interval.
    func stop() { stopping.store(true, ordering: .relaxed) }

    /// Answers connections until `stop()` or, when `untilSignal`, until SIGTERM or SIGINT; then
    /// closes the listening socket.
    func serve(untilSignal: Bool = false) {
        defer { closeListener() }
        let reply = Array("\(name)\n".utf8)
        while !stopping.load(ordering: .relaxed) && !(untilSignal && DemoSignals.received) {
            guard DemoSocket.wait(listener, for: Int16(POLLIN), milliseconds: Self.pollMilliseconds) else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            answered.add(1, ordering: .relaxed)
            DemoSocket.writeAll(client, reply)
            close(client)
        }
    }
}

/// SIGTERM and SIGINT turned into a flag the service loop polls (the handler only stores to an
/// atomic, which is async-signal-safe).
enum DemoSignals {
    private static let flag = Atomic<Bool>(false)

    static var received: Bool { flag.load(ordering: .relaxed) }

    static func install() {
        signal(SIGTERM) { _ in DemoSignals.flag.store(true, ordering: .relaxed) }
        signal(SIGINT) { _ in DemoSignals.flag.store(true, ordering: .relaxed) }
    }
}

/// The pid file of a demo service: written once the service listens, removed when it ends; read by
/// `vigil demo-service stop` and by `vigil demo` when it crashes a node or cleans up.
enum DemoPidFile {
    static func write(_ path: String, pid: Int32 = getpid()) throws {
        try Data("\(pid)\n".utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// The pid in `path`, or nil when the file is missing or holds no positive number.
    static func read(_ path: String) -> Int32? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1
        else { return nil }
        return pid
    }

    /// Whether `pid` runs a demo service (its command line says `demo-service serve`): a pid file
    /// left by a service that died long ago may name an unrelated process by now.
    static func isDemoService(_ pid: Int32) -> Bool {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let words = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        guard let index = words.firstIndex(of: "demo-service") else { return false }
        return words.dropFirst(index + 1).first == "serve"
    }
}
