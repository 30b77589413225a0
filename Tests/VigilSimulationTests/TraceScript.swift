import Foundation
import VigilCore
import VigilModel
import VigilSimulation

/// A golden directive trace (etcd raft's `testdata/*.txt` style): a short script of commands run
/// against the simulator, with every step each core returned recorded as text after each block.
///
/// ```
/// # comment
/// cluster scream.yaml
/// seed 1
///
/// start all
/// run 3s
/// ----
/// 0.000s ghost1 log cluster: cluster services starting on ghost1 (incarnation 1)
/// ...
/// ```
///
/// A block is commands, then `----`, then the expected record, and ends at a blank line. Commands:
/// `start NODE...|all`, `stop graceful|takeover|forced NODE...`, `crash NODE...`,
/// `fail NODE ADAPTER`, `repair NODE ADAPTER`, `partition NETWORK A,B | C,D`, `heal [NETWORK]`,
/// `pause NODE DURATION`, `move GROUP NODE`, `online GROUP`, `offline GROUP [sticky]`, `run DURATION`.
/// Every element of every step is one line, in the step's order; heartbeats and wakes, many and
/// alike, are counted at the end of the block instead.
struct TraceScript {
    struct Block {
        var commands: [String]
        var expected: [String]
    }

    var header: [String]
    var configFile: String
    var seed: UInt64
    var blocks: [Block]

    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    init(text: String, file: String) throws {
        var header: [String] = []
        var config: String?
        var seed: UInt64 = 1
        var blocks: [Block] = []
        var current: Block?
        var inExpected = false
        for (number, line) in text.components(separatedBy: "\n").enumerated() {
            let place = "\(file):\(number + 1)"
            if current == nil {
                if line.hasPrefix("#") || line.isEmpty {
                    if blocks.isEmpty && config == nil { header.append(line) }
                    continue
                }
                if line.hasPrefix("cluster ") { config = String(line.dropFirst(8)); continue }
                if line.hasPrefix("seed ") {
                    guard let value = UInt64(line.dropFirst(5)) else { throw ParseError(description: "\(place): bad seed") }
                    seed = value
                    continue
                }
                current = Block(commands: [], expected: [])
                inExpected = false
            }
            if line.isEmpty {
                blocks.append(current!)
                current = nil
            } else if line == "----" {
                inExpected = true
            } else if inExpected {
                current!.expected.append(line)
            } else {
                current!.commands.append(line)
            }
        }
        if let current { blocks.append(current) }
        guard let config else { throw ParseError(description: "\(file): no `cluster FILE` line") }
        self.header = header
        self.configFile = config
        self.seed = seed
        self.blocks = blocks
    }

    /// The script with `records` as the expected record of each block.
    func rewritten(with records: [[String]]) -> String {
        var lines = header.reversed().drop { $0.isEmpty }.reversed().map { $0 }
        lines += ["cluster \(configFile)", "seed \(seed)", ""]
        for (block, record) in zip(blocks, records) {
            lines += block.commands + ["----"] + record + [""]
        }
        return lines.joined(separator: "\n")
    }

    /// Runs every block and returns the record of each.
    func run(config: ClusterConfig) throws -> [[String]] {
        let simulator = Simulator(config: config, seed: seed)
        var record: [String] = []
        var heartbeats = 0
        var wakes = 0
        simulator.stepObserver = { node, time, step in
            record += TraceRecord.lines(of: step, node: node, at: time)
            heartbeats += step.messages.filter { if case .heartbeat = $0.message { true } else { false } }.count
            if step.wake != nil { wakes += 1 }
        }
        var records: [[String]] = []
        for block in blocks {
            for command in block.commands { try apply(command, to: simulator) }
            records.append(record + ["(\(heartbeats) heartbeats and \(wakes) wakes left out)"])
            record = []
            heartbeats = 0
            wakes = 0
        }
        return records
    }

    private func apply(_ command: String, to simulator: Simulator) throws {
        let words = command.split(separator: " ").map(String.init)
        let names = simulator.config.nodes.map(\.name)
        func nodes(_ list: ArraySlice<String>) -> [String] { list == ["all"] ? names : Array(list) }
        func duration(_ text: String) throws -> Duration {
            guard let value = DurationText.parse(text) else { throw ParseError(description: "`\(command)`: bad duration") }
            return value
        }
        let action: PlanAction
        switch (words.first ?? "", words.count) {
        case ("run", 2):
            simulator.run(for: try duration(words[1]))
            return
        case ("start", 2...): action = .start(nodes(words.dropFirst()))
        case ("stop", 3...): action = .stop(nodes(words.dropFirst(2)), mode: words[1])
        case ("crash", 2...): action = .crash(nodes(words.dropFirst()))
        case ("fail", 3): action = .failInterface(node: words[1], interface: words[2])
        case ("repair", 3): action = .repairInterface(node: words[1], interface: words[2])
        case ("partition", 3...):
            let sides = words.dropFirst(2).joined(separator: " ").split(separator: "|").map {
                $0.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            }
            action = .partition(network: words[1], sides: sides)
        case ("heal", 1): action = .heal(network: nil)
        case ("heal", 2): action = .heal(network: words[1])
        case ("pause", 3): action = .pause(node: words[1], duration: try duration(words[2]))
        case ("move", 3): action = .move(group: words[1], node: words[2])
        case ("online", 2): action = .online(group: words[1])
        case ("offline", 2...): action = .offline(group: words[1], sticky: words.count > 2 && words[2] == "sticky")
        default: throw ParseError(description: "unknown command `\(command)`")
        }
        if let problem = PlanActions.apply(action, to: simulator) { throw ParseError(description: "`\(command)`: \(problem)") }
    }
}

/// A step as lines of text, one per element, in the step's order.
enum TraceRecord {
    static func lines(of step: Step, node: String, at time: Moment) -> [String] {
        var lines: [String] = []
        for record in step.persist {
            switch record {
            case .incarnation(let incarnation): lines.append("persist incarnation \(incarnation)")
            }
        }
        if let protection = step.protect {
            let addresses = protection.addresses.sorted().map { "\($0.label) \($0.address) on \($0.adapter)" }
            lines.append("protect addresses [\(addresses.joined(separator: ", "))] "
                + "applications [\(protection.applications.sorted().joined(separator: ", "))]")
        }
        for work in step.work { lines.append(describe(work)) }
        for envelope in step.messages {
            if case .heartbeat = envelope.message { continue }
            lines.append("send \(envelope.to) on \(envelope.network): \(describe(envelope.message))")
        }
        for record in step.logs { lines.append("log \(record.destination.rawValue) \(record.time): \(record.text)") }
        if step.stopped { lines.append("stopped") }
        return lines.map { "\(time) \(node) \($0)" }
    }

    static func describe(_ work: Step.Work) -> String {
        switch work {
        case .perform(let batch):
            "perform #\(batch.id) \(batch.purpose.rawValue) \(batch.group ?? "own addresses"): "
                + batch.actions.map(\.description).joined(separator: "; ")
        case .runHooks(let hooks): "hooks \(hooks.phase.rawValue) \(hooks.event)"
        case .fence(let request): "fence #\(request.id) \(request.node): \(request.command)"
        case .disk(let request):
            switch request.operation {
            case .read: "disk #\(request.id) read the tiebreaker on \(request.network)"
            case .write(let record): "disk #\(request.id) write \(record) on \(request.network)"
            }
        case .runConfiguration(let version): "run configuration version \(version)"
        }
    }

    static func describe(_ message: Message) -> String {
        switch message {
        case .heartbeat: "heartbeat"
        case .propose(let p): "propose view \(p.epoch) members \(p.members.keys.sorted().joined(separator: ","))"
        case .accept(let a): "accept view \(a.epoch) holding \(list(a.report.holdings.heldGroups))"
        case .decline(let d): "decline view \(d.epoch) (promised \(d.promised), follows \(d.follows))"
        case .state(let s):
            "state \(s.epoch).\(s.seq) up \(s.up.sorted().joined(separator: ","))"
                + (s.round.map { " round \($0.number) \($0.kind.rawValue) \(describe($0.work))" } ?? "")
                + (s.currentEvent.map { " event \($0.number) \($0.event)" } ?? "")
        case .report(let r):
            "report #\(r.number) installed \(r.installedEpoch).\(r.installedSeq) done round \(r.doneRound) "
                + "holds \(list(r.holdings.groups.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.state.rawValue)" }))"
        case .request(let r): "request #\(r.id) \(r.request)"
        case .reply(let r): "reply #\(r.id) \(r.request): \(r.refusal ?? "done")"
        case .services(let o): "services #\(o.id) \(o.command)"
        case .servicesDone(let a): "services #\(a.id) done on \(a.node): \(a.outcome)"
        case .config: "config"
        case .relay(let r): "relay \(r.trail.joined(separator: ">"))>\(r.inner.to): \(describe(r.inner.message))"
        }
    }

    static func list(_ items: [String]) -> String { items.isEmpty ? "nothing" : items.joined(separator: ",") }

    static func describe(_ work: [String: [String]]) -> String {
        work.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.joined(separator: ","))" }.joined(separator: "; ")
    }
}
