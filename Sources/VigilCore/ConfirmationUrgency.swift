/// How urgently a node asks its peers to confirm its lease (`ClusterNode.confirmationUrgency`).
public enum ConfirmationUrgency: Sendable, Hashable {
    /// Its confirmation is fresh: heartbeats as usual.
    case none
    /// Every peer is asked to echo at once, at the regular pace.
    case ask
    /// Every peer is asked to echo at once, every urgent interval.
    case askAtOnce
}
