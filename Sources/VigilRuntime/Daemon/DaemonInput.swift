import VigilCore

/// Everything that reaches a node's core, queued in the order it happened and applied one at a
/// time by the daemon's loop (the only owner of the core).
enum DaemonInput: Sendable {
    /// A message from a peer, over UDP or the shared disk.
    case received(Envelope)
    /// What one read of a shared disk brought (heartbeats and messages), applied in order.
    case receivedAll([Envelope])
    /// The core asked to be woken now.
    case tick
    case actionsFinished(UInt64, ActionOutcome)
    case diskCompleted(UInt64, DiskOutcome)
    case fenceFinished(UInt64, succeeded: Bool, detail: String)
    case carrier(adapter: String, up: Bool)
    /// An application's monitor failed and its restarts are used up.
    case resourceFailed(group: String, reason: String)
    /// The watchdog released everything while the loop was not running.
    case deadManSwitchTripped
    case start(CheckedContinuation<String, any Error>)
    case stop(ClusterEvent.Departure, CheckedContinuation<String, any Error>)
    /// `vigil start|stop --all`: this node, and an order to every other node.
    case servicesAll(ServicesCommand, CheckedContinuation<String, any Error>)
    /// `vigil sync`: a verified configuration text (from `source`) to store and push with a new
    /// version, unless the newest version known is not `expectVersion`.
    case sync(bundle: ConfigBundle, source: String, expectVersion: UInt64?, CheckedContinuation<String, any Error>)
    /// `vigil sync --preview`: what syncing a configuration would change, from the live state.
    case preview(SyncPreviewInput, CheckedContinuation<SyncPreview, Never>)
    /// Twice a second: announce the configuration version, resend and answer `--all` and `sync`.
    case housekeeping
    case request(AdminRequest, CheckedContinuation<String, any Error>)
    case status(CheckedContinuation<StatusSnapshot, Never>)
    /// `vigil emulate`, `vigil explain`: the agreed state as the core holds it.
    case agreedState(CheckedContinuation<AgreedStateAnswer, Never>)
    /// `vigil snapshot save`: every node's status, asked over the cluster's channel.
    case gatherStatus(CheckedContinuation<GatheredStatus, Never>)
    /// SIGTERM or SIGINT: stop cluster services gracefully and end.
    case shutdown
    /// The daemon cannot keep a safety record (`Persistence`): stop cluster services gracefully.
    case stopAfterFailure
}

/// A configuration text to preview, where it came from, and the files a sync of it would carry
/// (`path sha256:HEX`) or why it could not.
struct SyncPreviewInput: Sendable {
    var text: String
    var source: String
    var carried: Result<[String], ConfigBundleError>
}

/// Every configured node's status as JSON (`StatusSnapshot`), in configured order; `nil` for a node
/// that did not answer in time.
struct GatheredStatus: Sendable {
    var statuses: [(node: String, json: String?)]
}

extension Envelope {
    /// Whether this is a configuration message (`ConfigSync`'s, handled by the loop, not the core).
    var isConfigMessage: Bool {
        if case .config = message { true } else { false }
    }
}
