import VigilModel

/// What `vigil start --all` or `vigil stop --all` asks of every node.
public enum ServicesCommand: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Start cluster services (the seed's rc.cluster).
    case start
    /// Stop them in the given way (the seed's clstop).
    case stop(ClusterEvent.Departure)

    public var description: String {
        switch self {
        case .start: "start"
        case .stop(let how): "stop (\(how.rawValue))"
        }
    }
}

/// An order to start or stop cluster services, from the node where the administrator asked.
public struct ServicesOrder: Sendable, Hashable, Codable {
    /// Unique per incarnation of the ordering node.
    public var id: UInt64
    public var command: ServicesCommand

    public init(id: UInt64, command: ServicesCommand) {
        self.id = id
        self.command = command
    }
}

/// A node's answer to a `ServicesOrder`.
public struct ServicesAnswer: Sendable, Hashable, Codable {
    public var id: UInt64
    public var node: String
    /// What the node did, in a sentence ("starting cluster services on ghost2").
    public var outcome: String

    public init(id: UInt64, node: String, outcome: String) {
        self.id = id
        self.node = node
        self.outcome = outcome
    }
}

/// One `--all` order this node gave: whom it asked and who answered.
public struct ServicesRound: Sendable, Hashable {
    public var id: UInt64
    public var command: ServicesCommand
    /// Every other node of the configuration, in configured order.
    public var asked: [String]
    public var answers: [String: ServicesAnswer] = [:]

    /// The nodes asked that have not answered yet.
    public var unanswered: [String] { asked.filter { answers[$0] == nil } }
}

extension ClusterNode {
    /// Orders every other node to start or stop cluster services (`vigil start|stop --all`), in
    /// any phase. Returns the order's id, for `servicesRounds` and `finishServices`, and the step.
    /// This node's own start or stop is a separate input (`start(at:)`, `stop(_:at:)`).
    public mutating func orderServices(_ command: ServicesCommand, at now: Moment) -> (id: UInt64, step: Step) {
        let peers = config.nodes.map(\.name).filter { $0 != me }
        let id = desk.openServicesRound(command, asking: peers)
        log(now, .event, "asking \(peers.joined(separator: ", ")) to \(command) cluster services")
        for peer in peers { sendOnEveryNetwork(to: peer, .services(ServicesOrder(id: id, command: command))) }
        return (id, drain())
    }

    /// Sends an open order again to the nodes that have not answered it.
    public mutating func resendServices(_ id: UInt64) -> Step {
        guard let round = desk.servicesRounds[id] else { return drain() }
        for peer in round.unanswered {
            sendOnEveryNetwork(to: peer, .services(ServicesOrder(id: id, command: round.command)))
        }
        return drain()
    }

    /// Closes an order and returns what came of it.
    public mutating func finishServices(_ id: UInt64) -> ServicesRound? {
        desk.closeServicesRound(id)
    }

    /// A peer's order, taken in any phase: a stopped node starts (as `start(at:)`), a running one
    /// stops (as `stop(_:at:)`); either answers what it did. A resent order is answered again
    /// without being applied twice.
    mutating func onServicesOrder(_ order: ServicesOrder, from envelope: Envelope, at now: Moment) -> Step {
        let sender = envelope.from
        if let given = desk.answerGiven(to: order, from: sender, incarnation: envelope.incarnation) {
            sendOnEveryNetwork(to: sender, .servicesDone(given))
            return drain()
        }
        let outcome: String
        var apply: ((inout ClusterNode) -> Step)?
        switch (order.command, phase) {
        case (.start, .stopped):
            outcome = "starting cluster services on \(me)"
            apply = { $0.start(at: now) }
        case (.start, .running):
            outcome =
                leaving == nil
                ? "cluster services already run on \(me)" : "cluster services are stopping on \(me); not started"
        case (.stop(let how), .running) where leaving == nil && how != .failed:
            outcome = "stopping cluster services on \(me) (\(how.rawValue))"
            apply = { $0.stop(how, at: now) }
        case (.stop, .running):
            outcome = "cluster services are already stopping on \(me)"
        case (.stop, .stopped):
            outcome = "cluster services are not running on \(me)"
        }
        let answer = ServicesAnswer(id: order.id, node: me, outcome: outcome)
        desk.took(order, from: sender, incarnation: envelope.incarnation, answer: answer)
        log(now, .event, "\(sender) asked to \(order.command) cluster services: \(outcome)")
        sendOnEveryNetwork(to: sender, .servicesDone(answer))
        // The start or stop takes what was gathered so far into its own step.
        return apply?(&self) ?? drain()
    }

    /// Sends on every IP network this node and `peer` share: a stopped node hears nobody, so it
    /// cannot know which route works.
    mutating func sendOnEveryNetwork(to peer: String, _ body: Message) {
        guard let mine = config.node(named: me)?.networks, let theirs = config.node(named: peer)?.networks else {
            return
        }
        let shared = config.networks.filter { $0.isIP && mine.contains($0.name) && theirs.contains($0.name) }
        for network in shared { send(envelope(body, to: peer, on: network.name)) }
    }
}
