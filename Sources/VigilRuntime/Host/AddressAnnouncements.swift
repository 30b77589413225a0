import Foundation
import VigilModel

/// Gratuitous ARP announcements in flight, at most one per address: an acquisition starts one and
/// does not wait for it; removing the address (or announcing it again) stops the one running, whose
/// process group is killed with its task.
final class AddressAnnouncements: @unchecked Sendable {
    private let lock = NSLock()
    private var running: [IPv4Address: Task<Void, Never>] = [:]

    /// Starts `announce` for `address`, stopping an earlier announcement of it.
    func start(_ address: IPv4Address, _ announce: @escaping @Sendable () async -> Void) {
        let task = Task { await announce() }
        lock.withLock { running.updateValue(task, forKey: address) }?.cancel()
    }

    /// Stops the announcement of `address`, if one runs.
    func stop(_ address: IPv4Address) {
        lock.withLock { running.removeValue(forKey: address) }?.cancel()
    }
}
