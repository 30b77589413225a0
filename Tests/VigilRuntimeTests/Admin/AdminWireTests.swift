import Foundation
import NIOCore
import Testing
import VigilCore
import VigilModel
@testable import VigilRuntime

/// The control socket's lines: every command and response survives the trip, and a malformed
/// request is described, not crashed on.
@Suite("admin wire format")
struct AdminWireTests {
    static let commands: [AdminCommand] = [
        .status(watchIntervalMilliseconds: nil), .status(watchIntervalMilliseconds: 500), .start(all: true),
        .stop(mode: .takeover, all: false), .rgList, .rgMove(group: "SH2", node: "ghost4"), .rgOnline(group: "SH2"),
        .rgOffline(group: "SH2", sticky: true), .log(cluster: true, lines: 20, follow: true), .sync(text: nil, file: nil, expectVersion: nil),
        .sync(text: "cluster: {name: c, id: 1}\n", file: "/etc/vigil/new.yaml", expectVersion: 4),
        .syncPreview(text: nil, file: nil), .syncPreview(text: "x: 1\n", file: "new.yaml"), .configHistory,
        .configText(version: nil), .configText(version: 12), .snapshotSave(name: "base"), .snapshotList,
        .snapshotText(name: "base"),
    ]

    @Test("every command survives encoding as a request line", arguments: commands)
    func commandRoundTrip(_ command: AdminCommand) throws {
        var line = AdminWire.line(AdminWire.Request(command: command))
        #expect(line.readableBytesView.last == UInt8(ascii: "\n"))
        line.moveWriterIndex(to: line.writerIndex - 1)
        #expect(try AdminWire.request(from: line) == command)
    }

    @Test("a configuration of the largest size, with every character escaped, fits in one request line")
    func largestConfigurationFits() throws {
        let text = String(repeating: "\"\\\n", count: ConfigLimits.largestFileBytes / 3)
        let line = AdminWire.line(AdminWire.Request(command: .syncPreview(text: text, file: "big.yaml")))
        #expect(line.readableBytes <= AdminWire.maxLineLength)
    }

    @Test("responses survive the trip, the status snapshot included")
    func responseRoundTrip() throws {
        let responses: [AdminResponse] = [
            .ok(.status(FakeAdminHandler.sample)), .ok(.groups(FakeAdminHandler.sample.groupList)),
            .ok(.done(message: "done")), .ok(.log(lines: ["a", "b"])), .refused(reason: "cluster is UNSTABLE"),
            .ok(.history(entries: [ConfigStore.HistoryEntry(version: 3, storedAt: 1.5e9, bytes: 812)], running: 3)),
            .ok(.config(version: 3, text: "cluster: {name: c, id: 1}\n")),
            .ok(.snapshots(entries: [SnapshotEntry(name: "base", savedAt: 1.7e9, bytes: 4000)])),
            .ok(.snapshot(name: "base", text: SnapshotFileTests.sample.text)),
            .ok(.preview(SyncPreview(
                source: "new.yaml",
                preview: ReconfigurationPreview(
                    fromVersion: 3, toVersion: 4, changes: ["+ group db2"],
                    groups: [.init(group: "db2", action: .start, from: [], to: ["ghost2"], reason: "cascading: ghost2 ...")],
                    notes: []),
                findings: ["new.yaml:3:1: warning: x"], errors: 0, warnings: 1, refusal: nil))),
            .error(message: "bad"),
        ]
        for response in responses {
            var line = AdminWire.line(response)
            line.moveWriterIndex(to: line.writerIndex - 1)
            #expect(try AdminWire.response(from: line) == response)
        }
    }

    @Test("the request format is the documented one")
    func documentedFormat() {
        let line = AdminWire.line(AdminWire.Request(command: .rgMove(group: "SH2", node: "ghost4")))
        #expect(String(buffer: line) == #"{"command":{"rgMove":{"group":"SH2","node":"ghost4"}},"version":1}"# + "\n")
        #expect(String(buffer: AdminWire.line(AdminResponse.ok(.done(message: "done")))) == #"{"ok":{"done":{"message":"done"}}}"# + "\n")
        #expect(String(buffer: AdminWire.line(AdminResponse.ok(.status(FakeAdminHandler.sample)))).hasPrefix(#"{"ok":{"status":{"cluster":"pair","#))
        #expect(String(buffer: AdminWire.line(AdminResponse.refused(reason: "no"))) == #"{"refused":{"reason":"no"}}"# + "\n")
    }

    @Test("a response must be exactly one case")
    func responseOneCase() {
        #expect {
            _ = try AdminWire.response(from: ByteBuffer(string: #"{"ok":{"done":{"message":"a"},"log":{"lines":[]}}}"#))
        } throws: { error in
            "\(error)".contains("expected exactly one of done, status, groups, log")
        }
        #expect(throws: AdminWire.Malformed.self) { try AdminWire.response(from: ByteBuffer(string: "{}")) }
    }

    @Test("malformed request lines are described", arguments: [
        ("hello", "malformed request: not a JSON object: hello"),
        (#"{"version":2,"command":{"sync":{}}}"#, "unsupported protocol version 2 (this vigild speaks 1)"),
        (#"{"command":{"sync":{}}}"#, "unsupported protocol version none (this vigild speaks 1)"),
        (#"{"version":1,"command":{"reboot":{}}}"#, "malformed request:"),
        (#"{"version":1,"command":{"rgMove":{"group":"SH2"}}}"#, "missing field node"),
    ])
    func malformed(_ text: String, _ expected: String) {
        #expect {
            _ = try AdminWire.request(from: ByteBuffer(string: text))
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test("commands out of bounds name their problem")
    func bounds() {
        #expect(AdminCommand.status(watchIntervalMilliseconds: 10).problem?.contains("out of range") == true)
        #expect(AdminCommand.log(cluster: false, lines: 100_000, follow: false).problem?.contains("out of range") == true)
        #expect(AdminCommand.rgMove(group: "", node: "ghost1").problem == "a resource group name is required")
        #expect(AdminCommand.rgMove(group: "SH2", node: "ghost1").problem == nil)
    }

    @Test("stop modes map to the core's departures and rg commands to its requests")
    func coreMapping() {
        #expect(StopMode.allCases.map(\.departure.rawValue) == ["graceful", "takeover", "forced"])
        #expect(AdminCommand.rgOffline(group: "SH2", sticky: true).groupRequest?.description == "rg offline SH2 --sticky")
        #expect(AdminCommand.sync(text: nil, file: nil, expectVersion: nil).groupRequest == nil)
        #expect(AdminCommand.sync(text: "", file: nil, expectVersion: nil).problem == "the configuration text is empty")
    }
}
