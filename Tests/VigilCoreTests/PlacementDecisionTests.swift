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

    @Test func aCandidateWithoutFindingIsRefused() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(PlacementDecision.Candidate.self, from: Data("\"ghost3\"".utf8))
        }
    }
}
