/// Which events of the agreed state a node has announced (logged and hooked): each event's start
/// and its completion exactly once, and for a node that joins, only the events of its own view on.
struct EventJournal: Sendable {
    private var lastStart: UInt64 = 0
    private var lastCompletion: UInt64 = 0

    /// One thing to announce, in the order to announce it.
    enum Entry: Sendable, Hashable {
        case started(EventRecord)
        case completed(EventRecord, at: Moment)
    }

    /// What `state` brings that was not announced yet. `joining`: the node installs its first
    /// state, whose older events are the cluster's history, not news.
    mutating func news(in state: ClusterState, joining: Bool) -> [Entry] {
        if joining {
            lastStart = max(lastStart, state.firstEventOfView - 1)
            lastCompletion = max(lastCompletion, state.firstEventOfView - 1)
        }
        var entries: [Entry] = []
        for record in state.events {
            if record.number > lastStart {
                lastStart = record.number
                entries.append(.started(record))
            }
            if let completed = record.completed, record.number > lastCompletion {
                lastCompletion = record.number
                entries.append(.completed(record, at: completed))
            }
        }
        return entries
    }
}
