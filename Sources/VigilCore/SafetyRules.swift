/// The rules that keep a group from having two owners. Always all on in a real cluster; a test turns
/// one off on purpose to prove that the simulator's checker notices what the rule prevents (a
/// checker that cannot fail proves nothing).
public struct SafetyRules: Sendable, Hashable {
    /// Every release of a recovery completes before any acquisition starts, and a non-concurrent
    /// group is acquired only once no other member holds it.
    public var releaseBeforeAcquire = true

    public init(releaseBeforeAcquire: Bool = true) {
        self.releaseBeforeAcquire = releaseBeforeAcquire
    }

    /// The rules of a real cluster.
    public static let standard = SafetyRules()
}
