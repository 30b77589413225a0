import Foundation

/// The client's watch log (`vigil testbed watch`): `MILLISECONDS ENDPOINT ANSWER` whenever an
/// endpoint's answer changed, `-` for no answer. Tells, for a stretch of time, who answered before
/// and after and the longest time without an answer.
public struct ClientWatchLog: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    struct Change {
        var time: Int64
        var endpoint: String
        var answer: String
    }

    func changes() -> [Change] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ")
            guard words.count == 3, let time = Int64(words[0]) else { return nil }
            return Change(time: time, endpoint: String(words[1]), answer: String(words[2]))
        }
    }

    /// How the endpoint's service was interrupted between `start` and `end`: `nil` when it
    /// answered throughout from the same node; otherwise what the client saw.
    public func interruption(of endpoint: String, from start: Int64, to end: Int64) -> String? {
        let mine = changes().filter { $0.endpoint == endpoint }
        let before = mine.last { $0.time <= start }?.answer ?? "-"
        let during = mine.filter { $0.time > start && $0.time <= end }
        if before == "-" { return "without an answer when the case started" }
        guard let change = during.first else { return nil }
        return change.answer == "-"
            ? "stop answering (\(before) answered before)" : "answered by \(change.answer), \(before) before"
    }

    /// One line per endpoint answering at `end`: `203.0.113.187:7002 ghost3 -> ghost4, no answer for
    /// 2.1s` (or `... answered throughout`).
    public func gaps(from start: Int64, to end: Int64) -> [String] {
        let all = changes()
        let endpoints = all.reduce(into: [String]()) { list, change in
            if !list.contains(change.endpoint) { list.append(change.endpoint) }
        }
        return endpoints.compactMap { endpoint in
            let mine = all.filter { $0.endpoint == endpoint }
            let before = mine.last { $0.time <= start }?.answer ?? "-"
            let after = mine.last { $0.time <= end }?.answer ?? "-"
            guard after != "-" else { return nil }
            var longest: Int64 = 0
            var silentSince: Int64? = before == "-" ? start : nil
            for change in mine where change.time > start && change.time <= end {
                if change.answer == "-" {
                    silentSince = silentSince ?? change.time
                } else if let since = silentSince {
                    longest = max(longest, change.time - since)
                    silentSince = nil
                }
            }
            let who = before == after ? after : "\(before == "-" ? "nobody" : before) -> \(after)"
            return longest == 0
                ? "\(endpoint) \(who), answered throughout" : "\(endpoint) \(who), no answer for \(longest)ms"
        }
    }
}
