/// The administrator's desk of one node: the requests made here and their answers, the `--all`
/// orders given here and who answered them, and the orders taken from peers (so that a resent order
/// is answered again and never applied twice). It outlives a restart of cluster services in the
/// same daemon: an administrator's question is answered whatever happened meanwhile.
struct AdminDesk: Sendable {
    /// Requests made on this node and not answered yet.
    private(set) var pendingRequests: [UInt64: AdminRequest] = [:]
    /// Answers to requests made on this node, oldest first (the latest `answerLimit`).
    private(set) var answers: [AdminReply] = []
    private var nextRequestID: UInt64 = 1
    /// `vigil start|stop --all` orders given on this node and not finished yet (at most
    /// `maximumServicesRounds`).
    private(set) var servicesRounds: [UInt64: ServicesRound] = [:]
    private var nextServicesID: UInt64 = 1
    /// The last order taken from each peer and the answer given.
    private var servicesTaken: [String: TakenOrder] = [:]

    /// How many answers are kept for the shell to read: more than the requests one daemon lets
    /// wait at once.
    static let answerLimit = 32
    /// How many `--all` orders may be open at once; the oldest is dropped past it.
    static let maximumServicesRounds = 8

    private struct TakenOrder: Sendable {
        var incarnation: UInt64
        var id: UInt64
        var answer: ServicesAnswer
    }

    /// Opens a request and returns its id, unique on this node for the daemon's life.
    mutating func open(_ request: AdminRequest) -> UInt64 {
        defer { nextRequestID += 1 }
        pendingRequests[nextRequestID] = request
        return nextRequestID
    }

    /// Whether a request made here waits for its answer.
    func isPending(_ id: UInt64) -> Bool { pendingRequests[id] != nil }

    /// Records the answer to a request made here.
    mutating func record(_ reply: AdminReply) {
        pendingRequests[reply.id] = nil
        answers.append(reply)
        if answers.count > Self.answerLimit { answers.removeFirst() }
    }

    /// Opens an `--all` order to `peers` and returns its id.
    mutating func openServicesRound(_ command: ServicesCommand, asking peers: [String]) -> UInt64 {
        let id = nextServicesID
        nextServicesID += 1
        servicesRounds[id] = ServicesRound(id: id, command: command, asked: peers)
        if servicesRounds.count > Self.maximumServicesRounds, let oldest = servicesRounds.keys.min() {
            servicesRounds[oldest] = nil
        }
        return id
    }

    /// Closes an order and returns what came of it.
    mutating func closeServicesRound(_ id: UInt64) -> ServicesRound? { servicesRounds.removeValue(forKey: id) }

    /// Records a peer's answer to an open order; ignores any other.
    mutating func recordServicesAnswer(_ answer: ServicesAnswer, from sender: String) {
        guard answer.node == sender, servicesRounds[answer.id]?.asked.contains(sender) == true else { return }
        servicesRounds[answer.id]!.answers[sender] = answer
    }

    /// The answer already given to this very order (the same peer incarnation and id), if any.
    func answerGiven(to order: ServicesOrder, from sender: String, incarnation: UInt64) -> ServicesAnswer? {
        guard let taken = servicesTaken[sender], taken.incarnation == incarnation, taken.id == order.id else {
            return nil
        }
        return taken.answer
    }

    /// Remembers the answer given to a peer's order.
    mutating func took(_ order: ServicesOrder, from sender: String, incarnation: UInt64, answer: ServicesAnswer) {
        servicesTaken[sender] = TakenOrder(incarnation: incarnation, id: order.id, answer: answer)
    }
}
