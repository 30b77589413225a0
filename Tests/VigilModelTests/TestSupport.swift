import Foundation
import Testing
@testable import VigilModel

/// Small configurations and helpers shared by the loader and verifier tests.
enum Fixture {
    /// Two nodes, a and b, on ether (10.0.0.0/24) and a disk heartbeat that is also the quorum
    /// tiebreaker. Verifies clean.
    static let twoNodes = """
        cluster: {name: test, id: 7}
        networks:
          - {name: ether, type: ether, attribute: public, netmask: 255.255.255.0}
          - {name: dhb, type: disk, device: /dev/sdb1}
        nodes:
          - name: a
            interfaces:
              - {name: eth0, label: a_boot, address: 10.0.0.1, network: ether}
              - {name: hb, label: a_hb, network: dhb}
          - name: b
            interfaces:
              - {name: eth0, label: b_boot, address: 10.0.0.2, network: ether}
              - {name: hb, label: b_hb, network: dhb}
        quorum: {policy: disk, tiebreaker: dhb}

        """

    /// `twoNodes` with more entries in its node list: `entries` are `nodes` list items ending in a
    /// newline, inserted before the quorum line that ends the fixture.
    static func twoNodes(addingNodes entries: String) -> String {
        let quorum = "quorum: {policy: disk, tiebreaker: dhb}\n"
        precondition(twoNodes.contains(quorum) && entries.hasSuffix("\n"))
        return twoNodes.replacingOccurrences(of: quorum, with: entries + quorum)
    }

    /// The repository's root, found from this source file (Tests/VigilModelTests/TestSupport.swift).
    static let repoRoot: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func example(_ name: String) -> String { repoRoot.appendingPathComponent("examples/\(name)").path }
}

/// Loads `yaml` as `test.yaml`.
func load(_ yaml: String) -> (LoadedConfig?, [Diagnostic]) { ConfigLoader.load(yaml: yaml, file: "test.yaml") }

/// Loads `yaml`, which must load without errors, and verifies it.
func verify(_ yaml: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [Diagnostic] {
    let (loaded, problems) = load(yaml)
    #expect(problems.isEmpty, "loading: \(problems)", sourceLocation: sourceLocation)
    guard let loaded else { return [] }
    return Verifier.verify(loaded)
}

/// The 1-based line of the first line of `text` containing `needle`.
func line(of needle: String, in text: String) -> Int {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard let index = lines.firstIndex(where: { $0.contains(needle) }) else {
        Issue.record("'\(needle)' is not in the text")
        return 0
    }
    return index + 1
}

/// The 1-based column where `needle` starts on the first line containing it.
func column(of needle: String, in text: String) -> Int {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard let found = lines.first(where: { $0.contains(needle) }), let range = found.range(of: needle) else {
        Issue.record("'\(needle)' is not in the text")
        return 0
    }
    return found.distance(from: found.startIndex, to: range.lowerBound) + 1
}

/// The 1-based column of `needle` on the first line containing `anchor`.
func column(of needle: String, onLineWith anchor: String, in text: String) -> Int {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard let found = lines.first(where: { $0.contains(anchor) }), let range = found.range(of: needle) else {
        Issue.record("'\(needle)' is not on a line with '\(anchor)'")
        return 0
    }
    return found.distance(from: found.startIndex, to: range.lowerBound) + 1
}

/// The only diagnostic whose message contains `text`.
func single(_ diagnostics: [Diagnostic], containing text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Diagnostic? {
    let matching = diagnostics.filter { $0.message.contains(text) }
    #expect(matching.count == 1, "expected one diagnostic containing '\(text)' in \(diagnostics)", sourceLocation: sourceLocation)
    return matching.first
}
