import Foundation
import Testing
@testable import VigilCore

/// `vigil sync` in the core: a configuration is cut into chunks that stay within a message's
/// budget whatever its characters, reassembled whole from chunks in any order, verified by the
/// shell, acknowledged, and pushed again to a node that announces an older version (a node that
/// was down gets the newest when it comes back).
@Suite struct ConfigSyncTests {
    static let text = (0..<3000).map { "line \($0): \"quoted\" /path\\back ünï \t tab\n" }.joined()

    @Test func chunksStayWithinTheBudgetOnceEncodedAndRejoinToTheText() throws {
        let pieces = ConfigSync.chunks(of: Self.text, budget: 4096)
        #expect(pieces.count > 10)
        #expect(pieces.joined() == Self.text)
        for piece in pieces {
            let encoded = try JSONEncoder().encode(piece)
            #expect(encoded.count <= 4096 + 2, "a chunk took \(encoded.count) bytes")
        }
        #expect(ConfigSync.chunks(of: "") == [""])
    }

    /// Runs messages between syncs until none is left; returns the texts each was asked to verify.
    static func exchange(_ syncs: inout [String: ConfigSync], _ first: [ConfigSync.Output], from sender: String, reversed: Bool = false) -> [String: String] {
        var queue = first.map { (sender, $0) }
        var verified: [String: String] = [:]
        var steps = 0
        while !queue.isEmpty {
            steps += 1
            precondition(steps < 10_000, "the syncs keep talking")
            let (from, output) = reversed ? queue.removeLast() : queue.removeFirst()
            switch output {
            case .send(let to, let message):
                queue += syncs[to]!.receive(message, from: from, at: .zero).map { (to, $0) }
            case .verify(let version, let text, let peer):
                verified[from] = text
                queue += syncs[from]!.stored(version: version, text: text, from: peer, at: .zero).map { (from, $0) }
            }
        }
        return verified
    }

    @Test func aPushedConfigurationIsAssembledVerifiedAndAcknowledged() {
        let peers = ["a", "b", "c"]
        var syncs = Dictionary(uniqueKeysWithValues: peers.map { ($0, ConfigSync(me: $0, peers: peers, version: 0, text: nil)) })
        #expect(syncs["a"]!.nextVersion == 1)
        let push = syncs["a"]!.adopt(version: 1, text: Self.text, at: .zero)
        let verified = Self.exchange(&syncs, push, from: "a", reversed: true)
        #expect(verified == ["b": Self.text, "c": Self.text])
        for name in peers { #expect(syncs[name]!.version == 1) }
        #expect(syncs["a"]!.peerVersions == ["b": 1, "c": 1])
        #expect(syncs["b"]!.nextVersion == 2)
    }

    /// In a ring (`ClusterNode.configAnnouncementTargets`) a node announces only to the peers it
    /// heartbeats; a name that is not a peer is ignored.
    @Test func announcementsGoOnlyToTheTargetsGiven() {
        var sync = ConfigSync(me: "a", peers: ["b", "c", "d"], version: 2, text: "x")
        let some = sync.tick(at: Moment(.seconds(1)), announcingTo: ["d", "b", "zz"])
        #expect(some == [.send(to: "b", .announce(version: 2)), .send(to: "d", .announce(version: 2))])
        #expect(sync.tick(at: Moment(.seconds(4))).count == 3)
    }

    @Test func aNodeThatWasDownGetsTheNewestWhenItAnnouncesAnOlderVersion() {
        let peers = ["a", "b"]
        var syncs = ["a": ConfigSync(me: "a", peers: peers, version: 3, text: "new"),
                     "b": ConfigSync(me: "b", peers: peers, version: 1, text: "old")]
        let announce = syncs["b"]!.tick(at: Moment(.seconds(10)))
        #expect(announce == [ConfigSync.Output.send(to: "a", .announce(version: 1))])
        let verified = Self.exchange(&syncs, announce, from: "b")
        #expect(verified == ["b": "new"])
        #expect(syncs["b"]!.version == 3)
        // Announcements are spaced; a newer node does not push to one already up to date.
        #expect(syncs["b"]!.tick(at: Moment(.seconds(11))).isEmpty)
        #expect(syncs["a"]!.receive(.announce(version: 3), from: "b", at: Moment(.seconds(20))).isEmpty)
        // Chunks of an older version than the one stored change nothing.
        #expect(syncs["b"]!.receive(.chunk(ConfigChunk(version: 2, index: 0, count: 1, text: "older")), from: "a", at: Moment(.seconds(20))).isEmpty)
        #expect(syncs["b"]!.version == 3)
    }

    @Test func malformedChunksAndStrangersAreIgnored() {
        var sync = ConfigSync(me: "b", peers: ["a", "b"], version: 0, text: nil)
        #expect(sync.receive(.chunk(ConfigChunk(version: 1, index: 0, count: 1, text: "x")), from: "mallory", at: .zero).isEmpty)
        #expect(sync.receive(.chunk(ConfigChunk(version: 1, index: 5, count: 2, text: "x")), from: "a", at: .zero).isEmpty)
        #expect(sync.receive(.chunk(ConfigChunk(version: 1, index: 0, count: 10_000, text: "x")), from: "a", at: .zero).isEmpty)
        #expect(sync.receive(.chunk(ConfigChunk(version: 1, index: 0, count: 1, text: "x")), from: "a", at: .zero)
                == [.verify(version: 1, text: "x", from: "a")])
    }

    /// A peer announcing version 2^64 - 1 made `nextVersion` (`max + 1`) trap at the next
    /// `vigil sync`, and so did a stored file with that version. Versions above 2^62 are ignored
    /// from peers and read as 2^62 from the file.
    @Test func versionsNearTheLargestDoNotOverflowTheNextVersion() {
        var sync = ConfigSync(me: "b", peers: ["a", "b"], version: 3, text: "x")
        #expect(sync.receive(.announce(version: .max), from: "a", at: .zero).isEmpty)
        #expect(sync.receive(.stored(version: .max), from: "a", at: .zero).isEmpty)
        let huge = ConfigChunk(version: .max, index: Int.max, count: 1, text: "x")
        #expect(ConfigMessage.chunk(huge).description.hasPrefix("chunk "))
        #expect(sync.receive(.chunk(huge), from: "a", at: .zero).isEmpty)
        #expect(sync.nextVersion == 4)
        let stored = ConfigSync(me: "b", peers: ["a", "b"], version: .max, text: "x")
        #expect(stored.version == ConfigSync.largestVersion && stored.nextVersion == ConfigSync.largestVersion + 1)
    }
}
