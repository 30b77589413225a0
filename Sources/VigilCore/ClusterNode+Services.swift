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
    /// How many `--all` orders may be open at once; the oldest is dropped past it.
    static let maximumServicesRounds = 8

    /// Orders every other node to start or stop cluster services (`vigil start|stop --all`), in
    /// any phase. Returns the order's id, for `servicesRounds` and `finishServices`, and the sends.
    /// This node's own start or stop is a separate input (`start(at:)`, `stop(_:at:)`).
    public mutating func orderServices(_ command: ServicesCommand, at now: Moment) -> (id: UInt64, directives: [Directive]) {
        let id = nextServicesID
        nextServicesID += 1
        let peers = config.nodes.map(\.name).filter { $0 != me }
        servicesRounds[id] = ServicesRound(id: id, command: command, asked: peers)
        if servicesRounds.count > Self.maximumServicesRounds, let oldest = servicesRounds.keys.min() {
            servicesRounds[oldest] = nil
        }
        log(now, .event, "asking \(peers.joined(separator: ", ")) to \(command) cluster services")
        for peer in peers { sendOnEveryNetwork(to: peer, .services(ServicesOrder(id: id, command: command))) }
        return (id, drain())
    }

    /// Sends an open order again to the nodes that have not answered it.
    public mutating func resendServices(_ id: UInt64) -> [Directive] {
        guard let round = servicesRounds[id] else { return [] }
        for peer in round.unanswered { sendOnEveryNetwork(to: peer, .services(ServicesOrder(id: id, command: round.command))) }
        return drain()
    }

    /// Closes an order and returns what came of it.
    public mutating func finishServices(_ id: UInt64) -> ServicesRound? {
        servicesRounds.removeValue(forKey: id)
    }

    /// A peer's order, taken in any phase: a stopped node starts (as `start(at:)`), a running one
    /// stops (as `stop(_:at:)`); either answers what it did. A resent order is answered again
    /// without being applied twice.
    mutating func onServicesOrder(_ order: ServicesOrder, from envelope: Envelope, at now: Moment) -> [Directive] {
        let sender = envelope.from
        if let taken = servicesTaken[sender], taken.incarnation == envelope.incarnation, taken.id == order.id {
            sendOnEveryNetwork(to: sender, .servicesDone(taken.answer))
            return drain()
        }
        let outcome: String
        var apply: (inout ClusterNode) -> [Directive] = { _ in [] }
        switch (order.command, phase) {
        case (.start, .stopped):
            outcome = "starting cluster services on \(me)"
            apply = { $0.start(at: now) }
        case (.start, .running):
            outcome = leaving == nil ? "cluster services already run on \(me)" : "cluster services are stopping on \(me); not started"
        case (.stop(let how), .running) where leaving == nil && how != .failed:
            outcome = "stopping cluster services on \(me) (\(how.rawValue))"
            apply = { $0.stop(how, at: now) }
        case (.stop, .running):
            outcome = "cluster services are already stopping on \(me)"
        case (.stop, .stopped):
            outcome = "cluster services are not running on \(me)"
        }
        let answer = ServicesAnswer(id: order.id, node: me, outcome: outcome)
        servicesTaken[sender] = (envelope.incarnation, order.id, answer)
        log(now, .event, "\(sender) asked to \(order.command) cluster services: \(outcome)")
        sendOnEveryNetwork(to: sender, .servicesDone(answer))
        let sends = drain()
        return sends + apply(&self)
    }

    mutating func onServicesAnswer(_ answer: ServicesAnswer, from sender: String) -> [Directive] {
        guard answer.node == sender, servicesRounds[answer.id]?.asked.contains(sender) == true else { return [] }
        servicesRounds[answer.id]!.answers[sender] = answer
        return []
    }

    /// Sends on every IP network this node and `peer` share: a stopped node hears nobody, so it
    /// cannot know which route works.
    mutating func sendOnEveryNetwork(to peer: String, _ body: Message) {
        guard let mine = config.node(named: me)?.networks, let theirs = config.node(named: peer)?.networks else { return }
        let shared = config.networks.filter { $0.isIP && mine.contains($0.name) && theirs.contains($0.name) }
        for network in shared {
            outbox.append(.send(Envelope(clusterID: config.id, from: me, incarnation: incarnation, to: peer, network: network.name, message: body)))
        }
    }
}

extension ClusterNode {
    /// A message to `peer` on its usual route (the shell's own traffic, such as `ConfigSync`'s).
    public func envelope(_ body: Message, to peer: String, at now: Moment) -> Envelope {
        guard case .send(let envelope) = message(to: peer, body, at: now) else { preconditionFailure("message(to:) always sends") }
        return envelope
    }
}
