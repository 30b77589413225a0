import Foundation
import Testing

@testable import VigilCore
@testable import VigilRuntime

#if canImport(Glibc)
import Glibc
#endif

/// The journal's native protocol, read back from a socket of the test's own.
@Suite struct JournalSinkTests {
    /// Reads a datagram of the native protocol back into its fields, in order.
    static func decode(_ bytes: [UInt8]) -> [(String, String)]? {
        var fields: [(String, String)] = []
        var index = 0
        while index < bytes.count {
            guard let end = bytes[index...].firstIndex(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "\n") })
            else { return nil }
            let name = String(decoding: bytes[index..<end], as: UTF8.self)
            if bytes[end] == UInt8(ascii: "=") {
                guard let newline = bytes[end...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
                fields.append((name, String(decoding: bytes[(end + 1)..<newline], as: UTF8.self)))
                index = newline + 1
            } else {
                guard end + 9 <= bytes.count else { return nil }
                let length = bytes[(end + 1)..<(end + 9)].reversed().reduce(0) { $0 << 8 | Int($1) }
                let start = end + 9
                guard start + length < bytes.count, bytes[start + length] == UInt8(ascii: "\n") else { return nil }
                fields.append((name, String(decoding: bytes[start..<(start + length)], as: UTF8.self)))
                index = start + length + 1
            }
        }
        return fields
    }

    @Test func aValueWithANewlineIsSentLengthPrefixed() throws {
        var entry = JournalEntry(message: "hook output:\nline two", priority: .info, identifier: "vigild")
        entry.add("VIGIL_GROUP", "web")
        entry.add("_FORGED", "refused")
        entry.add("lower", "refused")
        entry.add("VIGIL_NODE", nil)
        let bytes = entry.encoded
        var expected = Array("MESSAGE\n".utf8)
        expected += [21, 0, 0, 0, 0, 0, 0, 0] + Array("hook output:\nline two\n".utf8)
        expected += Array("PRIORITY=6\nSYSLOG_IDENTIFIER=vigild\nVIGIL_GROUP=web\n".utf8)
        #expect(bytes == expected)
        let fields = try #require(Self.decode(bytes))
        #expect(fields.map(\.0) == ["MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "VIGIL_GROUP"])
        #expect(fields.first?.1 == "hook output:\nline two")
    }

    @Test func anEventRecordCarriesItsFieldsFromTheCoreNotFromItsText() throws {
        let event = ClusterEvent.nodeDown(node: "n1", how: .failed)
        let start = LogRecord(
            time: Moment(.seconds(3)), node: "n2", destination: .cluster, text: "EVENT START: \(event)",
            subject: event.subject(starts: true))
        let entry = JournalEntry(record: start)
        #expect(entry.value(of: "MESSAGE") == "EVENT START: node_down n1")
        #expect(entry.value(of: "PRIORITY") == "5")
        #expect(entry.value(of: "SYSLOG_IDENTIFIER") == "vigild")
        #expect(entry.value(of: "VIGIL_EVENT") == "node_down")
        #expect(entry.value(of: "VIGIL_EVENT_STEP") == "start")
        #expect(entry.value(of: "VIGIL_NODE") == "n1")
        #expect(entry.value(of: "VIGIL_REPORTER") == "n2")
        #expect(entry.value(of: "VIGIL_LOG") == "cluster")
        #expect(entry.value(of: "VIGIL_GROUP") == nil)

        let move = ClusterEvent.rgMove(.move(group: "web", node: "n3"))
        let completed = JournalEntry(
            record: LogRecord(
                time: Moment(.seconds(4)), node: "n2", destination: .cluster, text: "EVENT COMPLETED: \(move)",
                subject: move.subject(starts: false)))
        #expect(completed.value(of: "VIGIL_GROUP") == "web")
        #expect(completed.value(of: "VIGIL_NODE") == "n3")
        #expect(completed.value(of: "VIGIL_EVENT_STEP") == "completed")

        let plain = JournalEntry(
            record: LogRecord(time: Moment(.seconds(5)), node: "n2", destination: .event, text: "web: acquire"))
        #expect(plain.value(of: "VIGIL_GROUP") == nil && plain.value(of: "PRIORITY") == "6")
        #expect(JournalEntry(runtimeLine: "ERROR: cannot write", node: "n2").value(of: "PRIORITY") == "3")
    }

    /// NodeLogs writes its files as before and sends each line to the journal; without the
    /// socket, the files alone.
    @Test func theLogsGoToTheJournalAsWellAsToTheirFiles() async throws {
        let dir = TemporaryDirectory("journal")
        defer { dir.remove() }
        let journald = try DatagramReceiver(path: dir.file("journal"))
        defer { journald.stop() }
        let logs = try NodeLogs(
            node: "n2", stateDirectory: dir.file("state"), journal: JournalSink(socketPath: journald.path))
        let event = ClusterEvent.nodeUp(node: "n1")
        logs.write(
            LogRecord(
                time: Moment(.seconds(1)), node: "n2", destination: .cluster, text: "EVENT START: \(event)",
                subject: event.subject(starts: true)))
        logs.write(
            LogRecord(
                time: Moment(.seconds(2)), node: "n2", destination: .event, text: "acquire web: start app",
                subject: LogRecord.Subject(group: "web", node: "n2")))
        logs.event("vigild stopped")
        let arrived = await eventually { journald.datagrams().count == 3 }
        #expect(arrived)
        let entries = journald.datagrams().compactMap(Self.decode).map { Dictionary($0, uniquingKeysWith: { $1 }) }
        #expect(
            entries.map { $0["MESSAGE"] } == ["EVENT START: node_up n1", "acquire web: start app", "vigild stopped"])
        #expect(entries.map { $0["VIGIL_GROUP"] } == [nil, "web", nil])
        #expect(entries.map { $0["VIGIL_EVENT"] } == ["node_up", nil, nil])
        #expect(dir.read("state/cluster.log").contains("n2 EVENT START: node_up n1"))
        #expect(dir.read("state/vigil.log").contains("acquire web: start app"))

        let without = try NodeLogs(
            node: "n2", stateDirectory: dir.file("alone"), journal: JournalSink(socketPath: dir.file("none")))
        without.event("no journal here")
        #expect(without.journal?.dropped == 1)
        #expect(dir.read("alone/vigil.log").contains("no journal here"))
    }
}
