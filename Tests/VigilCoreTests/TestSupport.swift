import Foundation
import Testing
import VigilCore
import VigilModel

/// Shared fixtures for the core tests: the seed's `scream` cluster, small configurations built in
/// code, and a seeded random generator, so that every random test replays exactly from its seed.
enum CoreFixture {
    /// The repository's root, found from this source file (Tests/VigilCoreTests/TestSupport.swift).
    static let repoRoot: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The seed's 4-node cluster of Table 12 (examples/scream.yaml): CH1 concurrent ghost1 ghost2;
    /// SH2 cascading ghost3 ghost4; SH3 cascading ghost4 ghost3; IP4 rotating ghost1..ghost4.
    static func scream() throws -> ClusterConfig {
        try ConfigLoader.load(contentsOf: repoRoot.appendingPathComponent("examples/scream.yaml").path).config
    }

    static let ghosts = ["ghost1", "ghost2", "ghost3", "ghost4"]

    /// An IP network `name` (type ether, 255.255.255.0).
    static func ipNetwork(_ name: String) -> Network {
        Network(name: name, type: "ether", kind: .ip(attribute: .public, netmask: IPv4Address("255.255.255.0")!))
    }

    /// Nodes named `names` on the IP networks `networks`, each with one boot adapter `eth<k>` on the
    /// k-th network (subnet 10.k+1.0.0/24).
    static func nodes(_ names: [String], on networks: [String]) -> [Node] {
        names.enumerated().map { index, name in
            Node(name: name, interfaces: networks.enumerated().map { k, network in
                Interface(name: "eth\(k)", label: "\(name)_\(network)", role: .boot,
                          address: IPv4Address(UInt32(10 << 24 | (k + 1) << 16 | (index + 1))), network: network)
            })
        }
    }

    /// A service address `label` on `network`, at 192.168.0.`host`.
    static func service(_ label: String, on network: String, host: UInt32 = 100) -> ServiceAddress {
        ServiceAddress(label: label, address: IPv4Address(UInt32(192 << 24 | 168 << 16) | host), network: network)
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, seeded, reproducible generator. No global randomness.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound`.
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive, got \(bound)")
        return Int(next() % UInt64(bound))
    }

    /// `true` with probability `percent`/100.
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    /// One element of a non-empty array.
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// The elements of `items` each kept with probability `percent`/100, in their order.
    mutating func subset<T>(_ items: [T], percent: Int = 50) -> [T] { items.filter { _ in chance(percent) } }

    /// `items` in a random order (Fisher-Yates).
    mutating func shuffled<T>(_ items: [T]) -> [T] {
        var result = items
        for i in stride(from: result.count - 1, to: 0, by: -1) { result.swapAt(i, below(i + 1)) }
        return result
    }
}

extension Step {
    /// This step and a later one of the same node, as one (`Step.append`).
    func followed(by later: Step) -> Step {
        var both = self
        both.append(later)
        return both
    }
}
