/// One answer from the daemon to an `AdminCommand`. A command answers with one response; a stream
/// (`status` with a watch interval, `log`) with one per snapshot or line, and ends when the daemon
/// closes the connection. Encoded as JSON with the case as the key: `{"refused":{"reason":"..."}}`.
public enum AdminResponse: Codable, Sendable, Hashable {
    /// Carried out (or, for a query, answered).
    case ok(AdminPayload)
    /// The cluster cannot carry the command out now; it says why and nothing changed.
    case refused(reason: String)
    /// The request could not be read or handled (malformed, unknown version, the daemon failed).
    case error(message: String)
}

/// What a successful response carries.
public enum AdminPayload: Codable, Sendable, Hashable {
    /// An action was carried out or started: what happened, in a sentence.
    case done(message: String)
    /// The cluster as this node sees it.
    case status(StatusSnapshot)
    /// Every resource group with its state per node (`vigil rg list`).
    case groups([StatusSnapshot.Group])
    /// Log lines, oldest first.
    case log(lines: [String])
}
