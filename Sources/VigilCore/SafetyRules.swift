/// The rules that keep a group from having two owners. Always all on in a real cluster; a test turns
/// one off on purpose to prove that the simulator's checker notices what the rule prevents (a
/// checker that cannot fail proves nothing).
public struct SafetyRules: Sendable, Hashable {
    /// Every release of a recovery completes before any acquisition starts, and a non-concurrent
    /// group is acquired only once no other member holds it.
    public var releaseBeforeAcquire = true
    /// A step that starts an action batch carries the protection that covers it (`Step.protect`), so
    /// that the dead man switch can release what the batch acquires from the moment it starts.
    /// Off, the protection comes one step late: a daemon that dies in between leaves an orphan.
    public var protectBeforeActing = true
    /// Membership follows the connectivity graph: a node some members reach only through others
    /// stays a member, and messages to it are relayed (ClusterNode+Reach.swift). Off, a node
    /// reaches only its neighbours, as before graphs: a partial partition leaves members out and
    /// groups offline, which the fuzzer's liveness rule notices. (A liveness rule, kept here with
    /// the others that tests turn off to prove the checker.)
    public var membershipFollowsGraph = true
    /// A coordinator that leaves out a node and also a coordinator whose grants may have confirmed
    /// it (`ClusterNode.grantees`) waits until that coordinator's lease has run out as well. Off, it
    /// waits only after it last heard the node itself: a node that only its old coordinator still
    /// heard keeps its groups while the new view takes them over.
    public var takeoverWaitsForGranters = true
    /// A sync's configuration version is granted only when it follows the cluster's newest
    /// (`AdminRequest.claimConfigVersion`). Off, every claim is granted: two syncs at once take one
    /// number, which the fuzzer's `ConfigVersionWatch` notices.
    public var configVersionsFollowTheNewest = true
    /// A `reconfig` releases, under the running version, every group the new version restarts,
    /// removes or places elsewhere before it makes the new version active (and a member that runs
    /// a version without that step, as a fallback, releases what it holds under an older
    /// definition). Off, the new version is active at once and nothing restarts: a group whose
    /// resources changed keeps running as it was acquired, which the checker finds (the host lacks
    /// what the new version's group has).
    public var reconfigurationReleasesFirst = true

    public init(
        releaseBeforeAcquire: Bool = true, protectBeforeActing: Bool = true, membershipFollowsGraph: Bool = true,
        takeoverWaitsForGranters: Bool = true, configVersionsFollowTheNewest: Bool = true,
        reconfigurationReleasesFirst: Bool = true
    ) {
        self.reconfigurationReleasesFirst = reconfigurationReleasesFirst
        self.releaseBeforeAcquire = releaseBeforeAcquire
        self.protectBeforeActing = protectBeforeActing
        self.membershipFollowsGraph = membershipFollowsGraph
        self.takeoverWaitsForGranters = takeoverWaitsForGranters
        self.configVersionsFollowTheNewest = configVersionsFollowTheNewest
    }

    /// The rules of a real cluster.
    public static let standard = SafetyRules()
}
