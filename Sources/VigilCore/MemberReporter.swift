/// A member's reports to its coordinator: numbered, so that a late one never overwrites a newer
/// one, and sent when their content changed or when the last one is `interval` old.
struct MemberReporter: Sendable {
    /// The number of the last report sent.
    private(set) var number: UInt64 = 0
    private var last: MemberReport?
    private var lastSent: Moment?

    /// How often a member reports even when nothing changed.
    static let interval: Duration = .seconds(1)

    /// The report to send now, numbered, and whether its content changed; `nil` when none is due.
    mutating func due(_ report: MemberReport, at now: Moment) -> (report: MemberReport, changed: Bool)? {
        let changed = last?.content != report.content
        guard changed || lastSent.map({ now - $0 >= Self.interval }) ?? true else { return nil }
        number += 1
        var numbered = report
        numbered.number = number
        last = numbered
        lastSent = now
        return (numbered, changed)
    }

    /// The coordinator resent a state this member's reports show it lacks: the report that had it
    /// was lost, so the next one goes at once rather than at the next interval.
    mutating func reportSoon() { lastSent = nil }
}
