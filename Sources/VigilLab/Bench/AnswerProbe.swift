import Foundation
import VigilRuntime

#if canImport(Glibc)
import Glibc
#endif

/// The benchmark's client: opens a new TCP connection to one service every `period`, without waiting
/// for the earlier ones (several attempts may be in flight while an address moves), and reports each
/// answer (the line the service sends) with the monotonic time it arrived. An attempt that has not
/// answered within `timeout` is abandoned: a connection that succeeds only on a SYN retransmission a
/// second later is not an answer to a client in a hurry. The gap a client sees is the longest stretch
/// between two answers.
struct AnswerProbe {
    let endpoint: DemoEndpoint
    let period: Duration
    let timeout: Duration

    private struct Attempt {
        var descriptor: Int32
        var started: UInt64
        var connected = false
        var received: [UInt8] = []
    }

    /// Runs on the calling thread until `stop()` says so; `answer(nanoseconds, line)` for every answer.
    func run(until stop: () -> Bool = { false }, answer: (UInt64, String) -> Void) {
        let periodNanoseconds = UInt64(period.nanoseconds)
        let timeoutNanoseconds = UInt64(timeout.nanoseconds)
        var attempts: [Attempt] = []
        var next = MonotonicClock.nanoseconds()
        var buffer = [UInt8](repeating: 0, count: 512)
        defer { for attempt in attempts { close(attempt.descriptor) } }
        while !stop() {
            var now = MonotonicClock.nanoseconds()
            if now >= next {
                if let attempt = open(now) { attempts.append(attempt) }
                next = max(next + periodNanoseconds, now + periodNanoseconds / 2)
            }
            var descriptors = attempts.map {
                pollfd(fd: $0.descriptor, events: Int16($0.connected ? POLLIN : POLLOUT), revents: 0)
            }
            let wait = Int32(max(0, (Int64(next) - Int64(now)) / 1_000_000) + 1)
            _ = poll(&descriptors, nfds_t(descriptors.count), wait)
            now = MonotonicClock.nanoseconds()
            var finished = Set<Int>()
            for (index, polled) in descriptors.enumerated() where polled.revents != 0 {
                if !attempts[index].connected {
                    var code: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(polled.fd, SOL_SOCKET, SO_ERROR, &code, &length)
                    if code == 0 { attempts[index].connected = true } else { finished.insert(index) }
                    continue
                }
                let count = buffer.withUnsafeMutableBytes { recv(polled.fd, $0.baseAddress, $0.count, 0) }
                if count > 0 { attempts[index].received += buffer[0..<count] }
                let received = attempts[index].received
                if let end = received.firstIndex(of: UInt8(ascii: "\n")) {
                    answer(now, String(decoding: received[..<end], as: UTF8.self))
                    finished.insert(index)
                } else if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) || received.count > 4096 {
                    finished.insert(index)
                }
            }
            for (index, attempt) in attempts.enumerated() where now - attempt.started > timeoutNanoseconds {
                finished.insert(index)
            }
            for index in finished.sorted(by: >) {
                close(attempts[index].descriptor)
                attempts.remove(at: index)
            }
        }
    }

    private func open(_ now: UInt64) -> Attempt? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = endpoint.socketAddress
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 || errno == EINPROGRESS else {
            close(descriptor)
            return nil
        }
        return Attempt(descriptor: descriptor, started: now, connected: result == 0)
    }
}
