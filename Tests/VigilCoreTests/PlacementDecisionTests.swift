import Foundation
import Testing

@testable import VigilCore

/// A placement decision's candidates travel as one short string each (`ghost3 lost ether,token`):
/// every finding reads back as written, and a word of a later version reads as passed over.
@Suite struct PlacementDecisionTests {
    @Test(arguments: [
        PlacementDecision.Finding.chosen, .notUp, .disconnected, .failedHere, .lostNetworks(["ether", "token"]),
        .lowerPriority, .passedOver("holds 2 rotating groups, ghost4 1"),
    ])
    func everyFindingRoundTrips(finding: PlacementDecision.Finding) throws {
        let candidate = PlacementDecision.Candidate(node: "ghost3", finding)
        let data = try JSONEncoder().encode(candidate)
        #expect(try JSONDecoder().decode(PlacementDecision.Candidate.self, from: data) == candidate)
        #expect(String(decoding: data, as: UTF8.self).hasPrefix("\"ghost3 "))
    }

    @Test func aFindingOfALaterVersionReadsAsPassedOver() throws {
        let data = Data("\"ghost3 draining for maintenance\"".utf8)
        let candidate = try JSONDecoder().decode(PlacementDecision.Candidate.self, from: data)
        #expect(candidate.finding == .passedOver("draining for maintenance"))
    }

    /// Whatever a packet carried, what was read is written so that it reads back the same (the
    /// fuzzer's round trip found `ghost3  chosen`, two spaces, read back differently).
    @Test(arguments: [
        "ghost3  chosen", "ghost3 lost ,a,,b", "ghost3 lost", "ghost3 passed", "ghost3 passed   x ",
        "ghost3 chosen extra", "ghost3  ", "ghost3 lower,", "ghost3 lost a b",
    ])
    func whatIsReadIsWrittenToReadTheSame(wire: String) throws {
        let read = try JSONDecoder().decode(PlacementDecision.Candidate.self, from: Data("\"\(wire)\"".utf8))
        let again = try JSONDecoder().decode(PlacementDecision.Candidate.self, from: JSONEncoder().encode(read))
        #expect(again == read)
    }

    @Test func aCandidateWithoutFindingIsRefused() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(PlacementDecision.Candidate.self, from: Data("\"ghost3\"".utf8))
        }
    }
}
