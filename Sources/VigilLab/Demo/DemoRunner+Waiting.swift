import Foundation

/// The demo's waits: each polls until its condition holds, fails when a daemon that should run has
/// exited, when the demo is interrupted, or when `waitLimit` runs out, saying what it last saw.
extension DemoRunner {
    static let pollInterval: Duration = .milliseconds(200)

    /// Polls the observer's status until `condition` holds; `running` are the nodes whose daemons
    /// must stay up meanwhile.
    func waitFor(_ what: String, running: [String], until condition: (DemoStatus) -> Bool) throws -> DemoStatus {
        let deadline = ContinuousClock.now + waitLimit
        var last: String = "no status yet"
        while true {
            try checkAlive(running)
            switch reader.status(socket: cluster.socket(observer)) {
            case .success(let status):
                if condition(status) { return status }
                last = Self.summary(status)
            case .failure(let failure):
                last = "\(observer) gave no status: \(failure)"
            }
            guard ContinuousClock.now < deadline else {
                throw DemoCommandFailure(
                    "waited \(DemoRunner.seconds(waitLimit)) for \(what), in vain; last seen: \(last)")
            }
            try pause()
        }
    }

    /// Waits until the client's latest answer is `answer`, received after `after` (if given).
    func waitForClient(answer: String, after: ContinuousClock.Instant?) throws {
        let deadline = ContinuousClock.now + waitLimit
        while true {
            let record = probe?.record
            if record?.lastAnswer == answer, let at = record?.lastAnswerAt, after.map({ at > $0 }) ?? true { return }
            guard ContinuousClock.now < deadline else {
                let seen = record?.lastAnswer.map { "its last answer was \($0)" } ?? "it never had an answer"
                throw DemoCommandFailure(
                    "waited \(DemoRunner.seconds(waitLimit)) for \(setup.service) to answer \(answer), in vain; \(seen)"
                )
            }
            try pause()
        }
    }

    /// Prints the observer's status table, indented.
    func showTable() {
        say("")
        let lines = reader.table(socket: cluster.socket(observer)).split(
            separator: "\n", omittingEmptySubsequences: false)
        for line in lines.reversed().drop(while: \.isEmpty).reversed() {
            say(line.isEmpty ? "   |" : "   | \(line)")
        }
        say("")
    }

    private func checkAlive(_ nodes: [String]) throws {
        for node in nodes where cluster.daemonPid(node) == nil {
            let log = "\(cluster.nodeDirectory(node))/vigild.out"
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let tail = text.split(separator: "\n").suffix(5).map { "\n      \($0)" }.joined()
            throw DemoCommandFailure(
                "\(node)'s vigild has exited (\(cluster.exitDescription(node))); "
                    + (tail.isEmpty ? "its log \(log) is empty" : "the end of its log \(log):\(tail)"))
        }
    }

    private func pause() throws {
        if DemoSignals.received { throw DemoCommandFailure("interrupted") }
        Thread.sleep(forTimeInterval: Double(Self.pollInterval.components.attoseconds) / 1e18)
    }

    /// One line: each node's state and where each group is online.
    static func summary(_ status: DemoStatus) -> String {
        let nodes = status.nodes.map { "\($0.name) \($0.state)" }.joined(separator: ", ")
        let groups = status.groups.map { group in
            let online = status.online(group.name)
            return "\(group.name) " + (online.isEmpty ? "offline" : "on " + online.joined(separator: "+"))
        }.joined(separator: ", ")
        return "\(nodes); \(groups)"
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.1fs", Double(milliseconds(duration)) / 1000)
    }
}
