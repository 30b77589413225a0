#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import VigilRuntime

/// The carrier watch wakes on the kernel's link notices: a link set down in the watcher's network
/// namespace is announced, nothing is announced while nothing changes, and `interrupt()` ends a
/// wait. Needs root (a namespace of its own, `vt-linkev`, removed after); skipped elsewhere.
@Suite(.serialized) struct LinkEventsTests {
    static let namespace = "vt-linkev"

    /// glibc's `setns(2)`, which Swift's Glibc module does not export.
    static let setns: (@convention(c) (Int32, Int32) -> Int32)? = dlsym(nil, "setns").map {
        unsafeBitCast($0, to: (@convention(c) (Int32, Int32) -> Int32).self)
    }

    /// Runs `body` on a thread of its own that entered `namespace`'s network namespace (a thread's
    /// `setns` leaves the rest of the test process where it was).
    static func inNamespace<T: Sendable>(_ namespace: String, _ body: @escaping @Sendable () -> T) async -> T? {
        await withCheckedContinuation { (done: CheckedContinuation<T?, Never>) in
            let thread = Thread {
                let descriptor = open("/run/netns/\(namespace)", O_RDONLY | O_CLOEXEC)
                guard descriptor >= 0, let setns = Self.setns, setns(descriptor, 0x4000_0000 /* CLONE_NEWNET */) == 0 else {
                    done.resume(returning: nil)
                    return
                }
                close(descriptor)
                done.resume(returning: body())
            }
            thread.start()
        }
    }

    @Test(.enabled(if: isRoot, "network namespaces need root"))
    func aLinkSetDownIsAnnouncedAndSilenceIsQuiet() async throws {
        shell("ip netns del \(Self.namespace) 2>/dev/null")
        #expect(shell("ip netns add \(Self.namespace)") == 0)
        defer { shell("ip netns del \(Self.namespace)") }
        #expect(shell("ip -n \(Self.namespace) link add vle0 type veth peer name vle1") == 0)
        shell("ip -n \(Self.namespace) link set vle0 up")
        shell("ip -n \(Self.namespace) link set vle1 up")

        let outcomes = await Self.inNamespace(Self.namespace) { () -> [LinkEvents.Outcome] in
            guard let events = LinkEvents() else { return [] }
            // The kernel may still announce the links coming up (it batches link changes up to a
            // second): once that settles, nothing more comes.
            var quiet = events.wait(timeout: .milliseconds(1500))
            for _ in 0..<5 where quiet == .changed { quiet = events.wait(timeout: .milliseconds(1500)) }
            // The link goes down from another process while this thread waits for it.
            let setDown = Thread { shell("ip -n \(Self.namespace) link set vle1 down") }
            setDown.start()
            let changed = events.wait(timeout: .seconds(10))
            events.interrupt()
            let interrupted = events.wait(timeout: .seconds(10))
            return [quiet, changed, interrupted]
        }
        #expect(outcomes == [.quiet, .changed, .interrupted])
    }
}
