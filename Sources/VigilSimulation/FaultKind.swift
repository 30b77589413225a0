import Foundation

/// The kinds of fault a random schedule may contain (`vigil sim fuzz --faults`).
public enum FaultKind: String, Sendable, Hashable, CaseIterable {
    /// A node crashes (everything it held is gone) and boots again later.
    case crash
    /// A node's daemon is not scheduled for a while (up to 3 s; under 300 ms in a cluster without
    /// quorum, where nothing but the pause's brevity protects the groups).
    case pause
    /// One adapter of one node fails and is repaired later (IP or serial).
    case interface
    /// A node loses every adapter on one network.
    case network
    /// A node loses its path to the shared disk (its disk heartbeat and the tiebreaker).
    case disk
    /// A network is cut between two sets of nodes.
    case partition
    /// Two nodes stop hearing each other on every IP network while both still hear the others (A
    /// hears B, B hears C, A does not hear C): connectivity that is not transitive.
    case partial
    /// Everything one node sends another on every IP network is lost, the other way still works.
    case oneway
    /// Messages on a network are lost (up to 20%).
    case loss
    /// Messages on a network are delayed (up to 50 ms) and reordered.
    case delay
    /// Messages on a network are delivered twice.
    case duplication
    /// An administrator runs `vigil sync` on a node (sometimes on two at once, sometimes with
    /// `--expect-version`): a configuration version is claimed from the coordinator.
    case sync

    /// Parses a comma-separated list (`crash,loss`), or `all`.
    public static func parseList(_ text: String) -> Set<FaultKind>? {
        if text == "all" { return Set(allCases) }
        var kinds: Set<FaultKind> = []
        for part in text.split(separator: ",") {
            guard let kind = FaultKind(rawValue: String(part).trimmingCharacters(in: .whitespaces)) else { return nil }
            kinds.insert(kind)
        }
        return kinds.isEmpty ? nil : kinds
    }
}
