import Foundation
import Testing
import VigilModel

/// Golden directive traces: each script in `Traces/` is run in the simulator and every step its
/// cores return is compared, line by line, with the record in the file (see `TraceScript`). A
/// change of behaviour shows as a diff to read; when it is intended, rewrite the records with
/// `VIGIL_REWRITE_TRACES=1 swift test --filter TraceTests` and commit them with the change.
@Suite struct TraceTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Traces")
    static let rewrite = ProcessInfo.processInfo.environment["VIGIL_REWRITE_TRACES"] == "1"

    static var scripts: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".trace") }.sorted()
    }

    @Test func thereAreTraces() {
        #expect(Self.scripts.count >= 3, "no traces found in \(Self.folder.path)")
    }

    @Test(arguments: scripts) func traceMatchesItsRecord(_ name: String) throws {
        let path = Self.folder.appendingPathComponent(name).path
        let script = try TraceScript(text: try String(contentsOfFile: path, encoding: .utf8), file: name)
        let records = try script.run(config: try Fixtures.config(script.configFile))
        if Self.rewrite {
            try script.rewritten(with: records).write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        for (index, (block, record)) in zip(script.blocks, records).enumerated() {
            guard block.expected != record else { continue }
            let firstDifference = Array(zip(block.expected, record)).firstIndex { $0 != $1 } ?? min(block.expected.count, record.count)
            let expected = block.expected.indices.contains(firstDifference) ? block.expected[firstDifference] : "(end)"
            let actual = record.indices.contains(firstDifference) ? record[firstDifference] : "(end)"
            Issue.record("""
                \(name), block \(index + 1) (\(block.commands.joined(separator: "; "))): line \(firstDifference + 1) differs
                  expected: \(expected)
                  actual:   \(actual)
                (\(block.expected.count) lines expected, \(record.count) recorded; VIGIL_REWRITE_TRACES=1 rewrites)
                """)
        }
    }

    /// The comparison can fail: a record with one line changed is told apart.
    @Test func aChangedRecordIsNoticed() throws {
        let script = try TraceScript(text: "cluster pair.yaml\nseed 2\n\nstart all\nrun 1s\n----\n", file: "inline")
        let records = try script.run(config: try Fixtures.config("pair.yaml"))
        var changed = records[0]
        changed[changed.count / 2] += " (changed)"
        #expect(changed != records[0])
        #expect(records[0].count > 10)
        #expect(records == (try script.run(config: try Fixtures.config("pair.yaml"))), "the same script records the same")
    }
}
