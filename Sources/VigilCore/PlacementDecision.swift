import VigilModel

/// Why a group is where it is, as a structure (`vigil explain`, `vigil status --why`, the HTTP API):
/// the rule that decided, each candidate node in the group's order with what was found about it,
/// and the agreed event the decision was made in. Placement computes it with the placement itself
/// (`Placement.compute`), and the coordinator keeps it in the agreed state beside the placement,
/// so that it is the decision the cluster agreed, not a recomputation.
public struct PlacementDecision: Sendable, Hashable, Codable {
    /// The rule that decided, in the words of `vigil explain`: `cascading: the highest-priority
    /// eligible node`, `rotating: stays where it is (no fallback)`, `sticky move by an administrator`, ...
    public var rule: String
    /// The group's nodes in its order, each with what placement found (`Finding`), up to the last
    /// one chosen (those after it were not needed to decide); all of them when none was chosen.
    /// For a group held offline by rule, empty.
    public var candidates: [Candidate]
    /// What made the coordinator place the group again (`node_down ghost3`, `rg move`, ...), when
    /// it moved; `nil` in a computation that was not agreed (`vigil sync --preview`).
    public var cause: String?
    /// The agreed event that was running when it was decided (its number), if any.
    public var event: UInt64?

    public init(rule: String, candidates: [Candidate], cause: String? = nil, event: UInt64? = nil) {
        self.rule = rule
        self.candidates = candidates
        self.cause = cause
        self.event = event
    }

    /// The nodes chosen.
    public var chosen: [String] { candidates.filter { $0.finding == .chosen }.map(\.node) }

    /// One node of the group and what placement found about it. On the wire one string,
    /// `NODE FINDING` (`ghost3 not-up`, `ghost3 lost ether,token`, `ghost4 chosen`): the agreed
    /// state of 32 nodes with 32 groups must stay within one datagram.
    public struct Candidate: Sendable, Hashable, Codable {
        public var node: String
        public var finding: Finding

        public init(node: String, _ finding: Finding) {
            self.node = node
            self.finding = finding
        }

        /// `ghost3: down`, `ghost4: chosen`.
        public var description: String { "\(node): \(finding.description)" }

        public init(from decoder: any Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let space = text.firstIndex(of: " ") else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "a candidate is 'NODE FINDING'"))
            }
            node = String(text[..<space])
            finding = Finding(wire: String(text[text.index(after: space)...]))
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode("\(node) \(finding.wire)")
        }
    }

    /// What placement found about one candidate, in the order it checks: whether the node may
    /// hold the group at all (up, connected, every network of the group's addresses, no failure),
    /// then whether the rule chose it.
    public enum Finding: Sendable, Hashable, CustomStringConvertible {
        /// The group goes (or stays) here.
        case chosen
        /// Not up in the agreed view: down, stopped, or not joined yet.
        case notUp
        /// A member cut from every IP network (DISCONNECTED).
        case disconnected
        /// The group failed to come online or to go offline here, and nobody cleared it.
        case failedHere
        /// It lost networks the group's service addresses need.
        case lostNetworks([String])
        /// Eligible, but a node earlier in the group's order was chosen (cascading priority).
        case lowerPriority
        /// Eligible, but the rule chose another node for a reason it states: a rotating group that
        /// stays where it is, or goes to the node with the fewest rotating groups; a sticky move.
        case passedOver(String)

        public var description: String {
            switch self {
            case .chosen: "chosen"
            case .notUp: "not up"
            case .disconnected: "DISCONNECTED (cut from every IP network)"
            case .failedHere: "the group failed here"
            case .lostNetworks(let networks): "lost \(networks.joined(separator: ", "))"
            case .lowerPriority: "eligible, lower priority"
            case .passedOver(let why): "eligible, passed over: \(why)"
            }
        }

        /// The finding on the wire: a word, and for `lost` the networks, for `passed` the reason.
        var wire: String {
            switch self {
            case .chosen: "chosen"
            case .notUp: "not-up"
            case .disconnected: "disconnected"
            case .failedHere: "failed"
            case .lostNetworks(let networks): "lost \(networks.joined(separator: ","))"
            case .lowerPriority: "lower"
            case .passedOver(let why): "passed \(why)"
            }
        }

        /// Reads `wire`; a word it does not know (a later version's) reads as passed over for it.
        init(wire: String) {
            let word = wire.prefix { $0 != " " }
            let rest = wire.dropFirst(word.count).drop { $0 == " " }
            switch word {
            case "chosen": self = .chosen
            case "not-up": self = .notUp
            case "disconnected": self = .disconnected
            case "failed": self = .failedHere
            case "lost": self = .lostNetworks(rest.split(separator: ",").map(String.init))
            case "lower": self = .lowerPriority
            case "passed": self = .passedOver(String(rest))
            // Leading spaces dropped as `passed` drops them, so that it reads back the same.
            default: self = .passedOver(String(wire.drop { $0 == " " }))
            }
        }

        /// Whether the node could hold the group (whether or not it was chosen).
        public var isEligible: Bool {
            switch self {
            case .chosen, .lowerPriority, .passedOver: true
            case .notUp, .disconnected, .failedHere, .lostNetworks: false
            }
        }
    }

    /// The candidates before the first chosen one, with why each was passed over (all of them when
    /// none was chosen): the chain `vigil explain` and `vigil emulate` print.
    public var passedOver: [Candidate] {
        guard let first = candidates.firstIndex(where: { $0.finding == .chosen }) else {
            return candidates
        }
        return Array(candidates[..<first])
    }

    /// One line: `rule; ghost3: not up, ghost4: chosen`.
    public var summary: String {
        let shown = passedOver + candidates.filter { $0.finding == .chosen }
        return shown.isEmpty ? rule : rule + "; " + shown.map(\.description).joined(separator: ", ")
    }
}

extension PlacementDecision.Finding {
    /// What placement finds about `node` for `group` before any rule: why it could not hold it,
    /// or `lowerPriority` as a placeholder for "eligible" that the rule then refines.
    static func eligibility(
        of node: String, for group: ResourceGroup, config: ClusterConfig, state: ClusterState
    ) -> Self {
        if !state.up.contains(node) { return .notUp }
        if state.disconnected.contains(node) { return .disconnected }
        if state.failures[group.name]?.contains(node) ?? false { return .failedHere }
        let missing = config.requiredNetworks(of: group).sorted().filter { !state.topology.isUp($0, on: node) }
        if !missing.isEmpty { return .lostNetworks(missing) }
        return .lowerPriority
    }
}
