import Testing
import VigilFuzzKit
@testable import VigilRuntime

/// The snapshot file: written and read back the same, whatever the configuration's lines look like;
/// a file that is not one is an error naming the line, never a trap.
@Suite struct SnapshotFileTests {
    static let sample = SnapshotFile(
        name: "before-upgrade", taken: "2026-12-06T19:40:00Z", node: "ghost1", cluster: "scream", configVersion: 3,
        configuration: "format: 1\n=== configuration\n  indented: x\n\n# trailing blank line\n\n",
        statuses: [("ghost1", "{\"a\":1}"), ("ghost2", nil), ("ghost3", "{\n\"b\": 2\n}")])

    @Test func aSnapshotReadsBackAsWritten() throws {
        let read = try SnapshotFile(parsing: Self.sample.text, file: "s")
        #expect(read == Self.sample)
        #expect(read.configuration == Self.sample.configuration)
        #expect(read.unreachable == ["ghost2"])
        #expect(read.statuses.map(\.node) == ["ghost1", "ghost2", "ghost3"])
    }

    @Test func whatIsNotASnapshotIsAnErrorNamingTheLine() {
        #expect(throws: SnapshotFileError.self) { try SnapshotFile(parsing: "hello\n", file: "s") }
        let unindented = Self.sample.text.replacingOccurrences(of: "\n  format: 1", with: "\nformat: 1")
        #expect {
            try SnapshotFile(parsing: unindented, file: "s")
        } throws: { error in
            "\(error)" == "s:8: a section's lines start with two spaces"
        }
    }

    @Test func mutatedSnapshotsNeverTrap() {
        var random = FuzzRandom(seed: 99)
        for _ in 0..<2000 {
            _ = try? SnapshotFile(parsing: TextMutator.mutate(Self.sample.text, random: &random), file: "s")
        }
    }

    @Test(arguments: ["a", "before-upgrade", "v1.2_x"]) func validNames(_ name: String) {
        #expect(SnapshotFile.isValidName(name))
    }

    @Test(arguments: ["", "-x", ".hidden", "a/b", "a b", "ü", String(repeating: "x", count: 65)])
    func invalidNames(_ name: String) {
        #expect(!SnapshotFile.isValidName(name))
    }
}
