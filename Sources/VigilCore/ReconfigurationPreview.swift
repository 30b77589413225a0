import VigilModel

/// What a new configuration would do to the running cluster (`vigil sync --preview`): the
/// semantic difference, and for every group whether it stays, restarts, moves, starts or stops,
/// with the placement's reason. Computed from the agreed state with the same placement function
/// that decides, on the state as the new version would carry it (`ClusterState.adapted`).
public struct ReconfigurationPreview: Sendable, Hashable, Codable {
    /// What happens to one group.
    public struct GroupOutcome: Sendable, Hashable, Codable {
        public enum Action: String, Sendable, Hashable, Codable {
            /// Online on the same nodes, untouched (or offline before and after).
            case stay
            /// Online on the same nodes, stopped and started again because its resources changed.
            case restart
            /// Online elsewhere (or on other nodes, for a concurrent group).
            case move
            /// Offline now (or new), online after; or a concurrent group that gains nodes.
            case start
            /// Online now, offline after (or removed); or a concurrent group that loses nodes.
            case stop
        }

        public var group: String
        public var action: Action
        /// Where it is online now, and where it would be.
        public var from: [String]
        public var to: [String]
        /// Why it goes where it goes (the placement's reason), or why it stops or restarts.
        public var reason: String

        public init(group: String, action: Action, from: [String], to: [String], reason: String) {
            self.group = group
            self.action = action
            self.from = from
            self.to = to
            self.reason = reason
        }

        public var description: String {
            func list(_ nodes: [String]) -> String { nodes.isEmpty ? "offline" : nodes.joined(separator: ",") }
            switch action {
            case .stay: return "stay     \(group) on \(list(to))"
            case .restart: return "restart  \(group) on \(list(to)): \(reason)"
            case .move: return "move     \(group) \(list(from)) -> \(list(to)): \(reason)"
            case .start:
                let new = to.filter { !from.contains($0) }
                let staying = from.isEmpty ? "" : " (stays on \(list(from)))"
                return "start    \(group) on \(list(new))\(staying): \(reason)"
            case .stop:
                let gone = from.filter { !to.contains($0) }
                let staying = to.isEmpty ? "" : " (stays on \(list(to)))"
                return "stop     \(group) on \(list(gone))\(staying): \(reason)"
            }
        }
    }

    public var fromVersion: UInt64
    public var toVersion: UInt64
    /// The difference, one line per change (`ConfigDifference.Change.description`).
    public var changes: [String]
    /// Every group of either configuration: those of the new one in its order, then removed ones.
    /// Empty when this node is not in a view (nothing is known of where groups run).
    public var groups: [GroupOutcome]
    /// What the preview assumed or could not know.
    public var notes: [String]

    public init(
        fromVersion: UInt64, toVersion: UInt64, changes: [String], groups: [GroupOutcome], notes: [String]
    ) {
        self.fromVersion = fromVersion
        self.toVersion = toVersion
        self.changes = changes
        self.groups = groups
        self.notes = notes
    }

    /// The preview of `new` replacing `old` on a cluster whose agreed state is `state` (`nil`:
    /// this node is in no view).
    public init(
        from old: ClusterConfig, to new: ClusterConfig, state: ClusterState?, fromVersion: UInt64, toVersion: UInt64
    ) {
        self.fromVersion = fromVersion
        self.toVersion = toVersion
        let difference = ConfigDifference(from: old, to: new).changes
        changes = difference.map(\.description)
        notes = []
        guard let state else {
            groups = []
            notes.append("this node is in no view: where groups would run is not known")
            return
        }
        let carried = state.adapted(from: old, to: new)
        let placed = Placement.compute(config: new, state: carried)
        var outcomes: [GroupOutcome] = []
        for group in new.resourceGroups {
            let now = state.placement[group.name]?.nodes ?? []
            let after = placed[group.name] ?? GroupPlacement(nodes: [], reason: "not placed")
            outcomes.append(
                Self.outcome(
                    group.name, from: now, to: after, isNew: old.group(named: group.name) == nil,
                    restartBecause: Self.restartReason(of: group, old: old, changes: difference)))
        }
        for group in old.resourceGroups where new.group(named: group.name) == nil {
            let now = state.placement[group.name]?.nodes ?? []
            outcomes.append(
                GroupOutcome(
                    group: group.name, action: now.isEmpty ? .stay : .stop, from: now, to: [],
                    reason: "removed from the configuration"))
        }
        groups = outcomes
        let oldNetworks = Set(old.networks.map(\.name))
        let added = new.networks.map(\.name).filter { !oldNetworks.contains($0) }
        if !added.isEmpty {
            notes.append(
                "assumes the new network\(added.count > 1 ? "s" : "") \(added.joined(separator: ", ")) come"
                    + "\(added.count > 1 ? "" : "s") up on every node attached")
        }
        let oldNodes = Set(old.nodes.map(\.name))
        let joining = new.nodes.map(\.name).filter { !oldNodes.contains($0) }
        if !joining.isEmpty {
            let many = joining.count > 1
            notes.append(
                "new node\(many ? "s" : "") \(joining.joined(separator: ", ")) take\(many ? "" : "s") groups only "
                    + "once \(many ? "they join" : "it joins") (node_up), not at the reconfiguration")
        }
    }

    /// Every line of the preview but verify's: the changes, what each group does, the notes, and
    /// the summary last.
    public var lines: [String] { changes + groups.map(\.description) + notes + [summary] }

    /// How many groups move, restart, stay, start and stop.
    public func count(_ action: GroupOutcome.Action) -> Int { groups.filter { $0.action == action }.count }

    /// The last line: `preview: version A -> B: N groups move, M restart, K unchanged`, with the
    /// groups that start or stop when there are any.
    public var summary: String {
        var line =
            "preview: version \(fromVersion) -> \(toVersion): \(count(.move)) groups move, \(count(.restart)) restart, "
            + "\(count(.stay)) unchanged"
        if count(.start) > 0 { line += ", \(count(.start)) start" }
        if count(.stop) > 0 { line += ", \(count(.stop)) stop" }
        return line
    }

    private static func outcome(
        _ group: String, from now: [String], to after: GroupPlacement, isNew: Bool, restartBecause: String?
    ) -> GroupOutcome {
        let to = after.nodes
        if now.isEmpty && to.isEmpty {
            return GroupOutcome(
                group: group, action: .stay, from: now, to: to,
                reason: (isNew ? "new, " : "") + "offline: \(after.reason)")
        }
        if now.isEmpty { return GroupOutcome(group: group, action: .start, from: now, to: to, reason: after.reason) }
        if to.isEmpty { return GroupOutcome(group: group, action: .stop, from: now, to: to, reason: after.reason) }
        if Set(now) == Set(to) {
            if let restartBecause {
                return GroupOutcome(group: group, action: .restart, from: now, to: to, reason: restartBecause)
            }
            return GroupOutcome(group: group, action: .stay, from: now, to: to, reason: after.reason)
        }
        // A concurrent group that only gains nodes starts there, one that only loses nodes stops
        // there: where it stays, it runs on untouched.
        if Set(now).isSubset(of: to) {
            return GroupOutcome(group: group, action: .start, from: now, to: to, reason: after.reason)
        }
        if Set(to).isSubset(of: now) {
            return GroupOutcome(group: group, action: .stop, from: now, to: to, reason: after.reason)
        }
        return GroupOutcome(group: group, action: .move, from: now, to: to, reason: after.reason)
    }

    /// Why a group that keeps its nodes must be stopped and started again: one of its resource
    /// lists changed, or the definition of a resource it keeps (the `changes` of the
    /// configuration's difference name both). `nil`: it runs on untouched.
    static func restartReason(of group: ResourceGroup, old: ClusterConfig, changes: [ConfigDifference.Change])
        -> String?
    {
        guard let before = old.group(named: group.name) else { return nil }
        let changed = changes.filter { $0.kind == .changed }
        let fields = Set(changed.filter { $0.subject == "group \(group.name)" }.compactMap(\.field))
        var reasons = Self.resourceFields.filter(fields.contains).map { "its \($0) changed" }
        let subjects = Set(changed.map(\.subject))
        let kept: [(kind: String, before: [String], now: [String])] = [
            ("service address", before.serviceAddresses, group.serviceAddresses),
            ("application", before.applications, group.applications),
            ("volume group", before.volumeGroups, group.volumeGroups),
            ("filesystem", before.filesystems, group.filesystems),
            ("nfs export", before.nfsExports, group.nfsExports),
        ]
        for (kind, was, now) in kept {
            for name in now where was.contains(name) && subjects.contains("\(kind) \(name)") {
                reasons.append("\(kind) \(name) changed")
            }
        }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }

    /// The fields of a group whose change restarts it where it runs.
    static let resourceFields = [
        "service_addresses", "volume_groups", "filesystems", "nfs_exports", "applications",
        "filesystems_before_addresses",
    ]
}
