import VigilModel

/// One node's part in forming agreed views: the newest agreed state it installed, the epoch it
/// promised and to whom, the views it belongs to (whose confirmations count towards its lease), and
/// the proposal it makes as coordinator candidate. It owns this state and its rules; `ClusterNode`
/// (ClusterNode+Membership.swift) feeds it what the node hears and carries out what it decides.
struct Membership: Sendable {
    let me: String
    /// The newest agreed state this node has installed.
    private(set) var installed: ClusterState?
    /// The highest view epoch this node has promised to a proposer, and to whom.
    private(set) var promised: UInt64 = 0
    private(set) var promisedTo: String?
    /// The latest views this node promised or installed (at most `memberViewLimit`): confirmations
    /// given in them count towards its lease.
    private(set) var memberViews: [ViewID] = []
    /// How many members each of `memberViews` has.
    private var viewSizes: [ViewID: Int] = [:]
    /// The highest epoch this node has seen anyone promise, propose or install.
    private(set) var highestEpochSeen: UInt64 = 0
    /// The proposal this node made and is collecting acceptances for.
    var proposal: PendingProposal?
    /// The view the last heartbeats announced.
    private var lastBeatView: ViewID?

    /// Enough views to cover every view change within a lease's trip interval.
    static let memberViewLimit = 16
    /// How long a proposal waits for every acceptance before it is made again.
    static let proposalTimeout: Duration = .seconds(1)
    /// How often an unanswered proposal or a state a member lacks is sent again.
    static let resendInterval: Duration = .milliseconds(300)

    /// A proposal this node made, and the acceptances it collected.
    struct PendingProposal: Sendable {
        var epoch: UInt64
        var members: [String: UInt64]
        var accepted: [String: Acceptance]
        var sentAt: Moment
        var lastResent: Moment
        /// The latest moment (this node's clock) any acceptor may have heard each node.
        var lastHeard: [String: Moment] = [:]
        /// The nodes that may have confirmed a member's lease with grants (`Acceptance.coordinators`).
        var granters: Set<String> = []

        /// Whether every proposed member accepted.
        var isAccepted: Bool { accepted.count == members.count }
        /// The members that have not answered, by name.
        var unanswered: [String] { members.keys.filter { accepted[$0] == nil }.sorted() }
    }

    init(me: String) { self.me = me }

    /// The view this node is committed to: the highest it promised or installed.
    var committedView: ViewID {
        if let installed, installed.epoch >= promised { return installed.viewID }
        return ViewID(epoch: promised, coordinator: promisedTo ?? me)
    }

    /// The epoch of a new proposal: above everything promised, seen or installed.
    var nextEpoch: UInt64 { max(promised, highestEpochSeen, installed?.epoch ?? 0) + 1 }

    /// Notes an epoch someone else promised, proposed or installed.
    mutating func saw(epoch: UInt64) { highestEpochSeen = max(highestEpochSeen, epoch) }

    /// Promises `epoch`, a view of `size` members, to `coordinator`: no lower epoch is accepted
    /// from now on.
    mutating func promise(_ epoch: UInt64, to coordinator: String, size: Int) {
        promised = epoch
        promisedTo = coordinator
        saw(epoch: epoch)
        joined(ViewID(epoch: epoch, coordinator: coordinator), size: size)
    }

    /// The coordinators of this node's member views large enough for rings under `tuning`: the
    /// views whose coordinators confirm their members' leases (`ClusterNode.grantees`).
    func granters(under tuning: Tuning) -> Set<String> {
        Set(memberViews.filter { tuning.monitorsInRings(members: viewSizes[$0] ?? 0) }.map(\.coordinator))
    }

    /// Whether `proposal` from `sender` repeats the one this node promised (proposals travel on every
    /// route, so the same one arrives more than once).
    func repeats(_ proposal: Proposal, from sender: String, incarnation: UInt64) -> Bool {
        proposal.epoch == promised && promisedTo == sender && Self.names(proposal, me, incarnation: incarnation)
    }

    /// Whether `proposal` names `node` in `incarnation`, or without an incarnation (0: the
    /// proposer reaches it only through others and has not learned it).
    static func names(_ proposal: Proposal, _ node: String, incarnation: UInt64) -> Bool {
        proposal.members[node] == incarnation || proposal.members[node] == 0
    }

    /// Makes `state` the installed one.
    mutating func install(_ state: ClusterState) {
        installed = state
        joined(state.viewID, size: state.members.count)
    }

    /// Whether `state`, sent by the coordinator, should be installed: newer than the installed one,
    /// of an epoch this node has not promised away, and with this very incarnation as a member.
    func accepts(_ state: ClusterState, incarnation: UInt64) -> Bool {
        state.epoch >= promised && state.members[me] == incarnation && state.isNewer(than: installed)
    }

    /// This node was left out of a view of `epoch`: it forgets the installed state and will join again.
    mutating func leftOut(of epoch: UInt64) {
        installed = nil
        promised = epoch
        saw(epoch: epoch)
    }

    /// Cluster services stopped here: nothing is installed or proposed any more.
    mutating func stop() {
        installed = nil
        proposal = nil
    }

    /// Whether the view to announce in heartbeats changed since the last call.
    mutating func announcesNewView() -> Bool {
        guard committedView != lastBeatView else { return false }
        lastBeatView = committedView
        return true
    }

    /// Remembers that this node is a member of a view (promised or installed).
    private mutating func joined(_ view: ViewID, size: Int) {
        viewSizes[view] = size
        guard !memberViews.contains(view) else { return }
        memberViews.append(view)
        if memberViews.count > Self.memberViewLimit { viewSizes[memberViews.removeFirst()] = nil }
    }
}
