import VigilModel

/// A request to fence a node: run its fence command (power it off or reset it through its
/// management board, or revoke its storage reservation) and report with `fenceFinished`.
public struct FenceRequest: Sendable, Hashable {
    public var id: UInt64
    public var node: String
    public var command: String
}

/// The coordinator's fencing of nodes that left the view and may still hold groups. A node with a
/// fence command is taken over from only once fencing it succeeded; a failure is reported and
/// retried every `retryInterval`, and the takeover keeps waiting.
struct Fencing: Sendable {
    struct Progress: Sendable {
        var attempts = 0
        var inFlight: UInt64?
        var succeeded = false
        var nextAttempt: Moment
    }

    static let retryInterval: Duration = .seconds(2)
    private(set) var progress: [String: Progress] = [:]
    private var nextID: UInt64 = 1
    /// Requests made and not yet handed to the shell.
    private var requests: [FenceRequest] = []

    /// Whether `node` is fenced; starts or retries fencing it when due.
    mutating func isFenced(_ node: String, command: String, at now: Moment) -> Bool {
        var state = progress[node] ?? Progress(nextAttempt: now)
        defer { progress[node] = state }
        if state.succeeded { return true }
        if state.inFlight == nil, now >= state.nextAttempt {
            state.attempts += 1
            state.inFlight = nextID
            requests.append(FenceRequest(id: nextID, node: node, command: command))
            nextID += 1
        }
        return false
    }

    /// The requests made since the last call, for the shell to run.
    mutating func takeRequests() -> [FenceRequest] {
        defer { requests = [] }
        return requests
    }

    /// A fence command finished. Returns a line for the cluster log.
    mutating func finished(_ id: UInt64, succeeded: Bool, detail: String, at now: Moment) -> String? {
        guard let (node, state) = progress.first(where: { $0.value.inFlight == id }) else { return nil }
        var next = state
        next.inFlight = nil
        next.succeeded = succeeded
        next.nextAttempt = now + Self.retryInterval
        progress[node] = next
        return succeeded
            ? "fence \(node): succeeded (attempt \(state.attempts))"
            : "fence \(node): FAILED (attempt \(state.attempts)): \(detail); its groups stay where they are until "
                + "fencing succeeds; retrying in \(DurationText.format(Self.retryInterval))"
    }
}
