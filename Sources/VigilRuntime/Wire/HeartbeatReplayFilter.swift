import VigilCore

/// Drops heartbeats that are no newer than the last one admitted on the same path.
///
/// A sender's stamps come from its monotonic clock, so they increase within one incarnation on
/// every path (sender, adapter pair); a new incarnation is larger. An authenticated heartbeat
/// whose (incarnation, stamp) does not exceed the last admitted on its path is a duplicate or a
/// replay. Other messages carry no sequence of their own and are not filtered here: the core
/// orders them by epochs and report numbers.
struct HeartbeatReplayFilter {
    private struct Path: Hashable {
        var from: String
        var network: String
        var fromAdapter: String?
        var toAdapter: String?
    }

    /// The most paths remembered; past it the memory starts over (only senders holding the
    /// cluster key can add paths, and a real cluster has far fewer).
    static let pathLimit = 4096

    private var newest: [Path: (incarnation: UInt64, stamp: Duration)] = [:]

    /// Whether to deliver `envelope`; remembers it if so.
    mutating func admit(_ envelope: Envelope) -> Bool {
        guard case .heartbeat(let beat) = envelope.message else { return true }
        let path = Path(
            from: envelope.from, network: envelope.network, fromAdapter: envelope.fromAdapter,
            toAdapter: envelope.toAdapter)
        if let last = newest[path], (envelope.incarnation, beat.stamp) <= (last.incarnation, last.stamp) {
            return false
        }
        if newest.count >= Self.pathLimit, newest[path] == nil { newest.removeAll() }
        newest[path] = (envelope.incarnation, beat.stamp)
        return true
    }
}
