import Foundation
import VigilModel

/// The result of verifying one file: the loader's and the verifier's diagnostics, in file order,
/// and the detection times of the configuration (when it could be read).
struct VerifyReport {
    var file: String
    var diagnostics: [Diagnostic]
    var timing: DetectionTimes?

    /// Reads and verifies the file at `path`. An unreadable file is one error.
    init(path: String) {
        file = path
        do {
            let loaded = try ConfigLoader.load(contentsOf: path)
            diagnostics = Verifier.verify(loaded)
            timing = DetectionTimes(loaded.config)
        } catch let error as ConfigLoadError {
            diagnostics = error.diagnostics
        } catch {
            diagnostics = [Diagnostic(.error, at: SourceLocation(file: path, line: 1, column: 1), "\(error)")]
        }
    }

    /// Reads and verifies configuration text, as if it were the file `file` (`vigil convert` checks
    /// what it wrote before it is saved).
    init(yaml: String, file: String) {
        self.file = file
        let (loaded, problems) = ConfigLoader.load(yaml: yaml, file: file)
        diagnostics = problems
        if let loaded {
            diagnostics += Verifier.verify(loaded)
            timing = DetectionTimes(loaded.config)
        }
    }

    var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
    var warningCount: Int { diagnostics.filter { $0.severity == .warning }.count }

    /// `FILE:LINE:COLUMN: error: MESSAGE` lines, `timing:` lines, then `verify: N errors, M warnings`.
    func textLines() -> [String] {
        diagnostics.map(\.description) + timingLines() + ["verify: \(errorCount) errors, \(warningCount) warnings"]
    }

    /// `timing: preset default` (settings written beside it override it), then `timing: ether
    /// heartbeat 200ms x 4 = detection 0.8s` per network, then when a node is declared down: one
    /// line if it is the same for every node, one per node otherwise; then the dead man switch and
    /// the takeover wait.
    func timingLines() -> [String] {
        guard let timing else { return [] }
        var lines = ["timing: preset \(timing.preset.rawValue)"]
        lines += timing.networks.map { network in
            let beat = network.heartbeat
            return "timing: \(network.network) heartbeat \(DurationText.format(beat.interval)) x \(beat.missedBeats)"
                + " = detection \(DetectionTimes.seconds(network.detection))"
        }
        let distinct = Set(timing.nodes.map(\.detection))
        if distinct.count == 1, let only = distinct.first {
            lines.append("timing: node failure detected after \(DetectionTimes.seconds(only))")
        } else {
            lines += timing.nodes.map {
                "timing: node \($0.node) failure detected after \(DetectionTimes.seconds($0.detection))"
            }
        }
        return lines + takeoverLines(timing)
    }

    /// `timing: dead man switch trips after 600ms without quorum` and `timing: takeover waits 1s
    /// after a node was last heard (dead man switch 600ms + heartbeat 200ms + release allowance 200ms)`.
    ///
    /// With `tuning.hardware_watchdog`, a line for it (`timing: hardware watchdog 5s resets a node whose
    /// lease ran out while it holds groups (takeover waits 5.6s)`), and the takeover's last part is the
    /// longer of the release allowance and the hardware timeout.
    func takeoverLines(_ timing: DetectionTimes) -> [String] {
        let trip = DurationText.format(timing.tripInterval)
        let release = "release allowance \(DurationText.format(timing.releaseAllowance))"
        var last = release
        if let hardware = timing.hardwareWatchdog, hardware > timing.releaseAllowance {
            last = "hardware watchdog \(DurationText.format(hardware)), longer than the \(release)"
        }
        let parts = "dead man switch \(trip) + heartbeat \(DurationText.format(timing.largestIPInterval)) + \(last)"
        let wait = DetectionTimes.seconds(timing.takeoverWait)
        var lines = [
            "timing: dead man switch trips after \(trip) without quorum",
            "timing: takeover waits \(wait) after a node was last heard (\(parts))",
        ]
        if let hardware = timing.hardwareWatchdog {
            lines.append(
                "timing: hardware watchdog \(DurationText.format(hardware)) resets a node whose lease ran out while it "
                    + "holds groups (takeover waits \(wait))")
        }
        if timing.monitorsInRings {
            lines.append(
                "timing: monitoring in rings: each node heartbeats \(timing.observers) ring neighbours and the "
                    + "coordinator on each IP network (\(timing.clusterSize) nodes, observers \(timing.observers)); "
                    + "nodes cut off together with their coordinator are taken over "
                    + "\(DetectionTimes.seconds(timing.takeoverWaitBehindCoordinator)) after it was last heard")
        } else {
            lines.append(
                "timing: monitoring all-to-all: each node heartbeats every peer (\(timing.clusterSize) nodes; "
                    + "rings from \(timing.observers + 2) with observers \(timing.observers))")
        }
        return lines
    }

    /// One JSON object: `file`, `diagnostics` (file, line, column, severity, message), `timing`,
    /// `errors`, `warnings`.
    func json() -> String {
        let document = JSONReport(
            file: file,
            diagnostics: diagnostics.map {
                JSONReport.Entry(
                    file: $0.location.file, line: $0.location.line, column: $0.location.column,
                    severity: $0.severity.rawValue, message: $0.message)
            },
            timing: timing.map(JSONReport.Timing.init),
            errors: errorCount, warnings: warningCount)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase  // like the configuration file's keys
        guard let data = try? encoder.encode(document), let text = String(data: data, encoding: .utf8) else {
            preconditionFailure("a report of strings and numbers always encodes as JSON")
        }
        return text
    }
}

/// The shape of `vigil verify --json` (keys in snake_case: `detection_milliseconds`).
struct JSONReport: Encodable {
    struct Entry: Encodable {
        var file: String
        var line: Int
        var column: Int
        var severity: String
        var message: String
    }

    struct Timing: Encodable {
        struct Network: Encodable {
            var network: String
            var type: String
            var intervalMilliseconds: Int64
            var missedBeats: Int
            var detectionMilliseconds: Int64
        }

        struct Node: Encodable {
            var node: String
            var detectionMilliseconds: Int64
        }

        var preset: String
        var networks: [Network]
        var nodes: [Node]
        var deadManSwitchMilliseconds: Int64
        var releaseAllowanceMilliseconds: Int64
        /// `tuning.hardware_watchdog`, when configured.
        var hardwareWatchdogMilliseconds: Int64?
        /// `dead_man_switch + largest IP heartbeat interval + max(release_allowance, hardware_watchdog)`.
        var takeoverWaitMilliseconds: Int64
        /// `tuning.observers`, and whether a view of every node monitors in rings.
        var observers: Int
        var monitorsInRings: Bool

        init(_ times: DetectionTimes) {
            preset = times.preset.rawValue
            networks = times.networks.map {
                Network(
                    network: $0.network, type: $0.type, intervalMilliseconds: $0.heartbeat.interval.milliseconds,
                    missedBeats: $0.heartbeat.missedBeats, detectionMilliseconds: $0.detection.milliseconds)
            }
            nodes = times.nodes.map { Node(node: $0.node, detectionMilliseconds: $0.detection.milliseconds) }
            deadManSwitchMilliseconds = times.tripInterval.milliseconds
            releaseAllowanceMilliseconds = times.releaseAllowance.milliseconds
            hardwareWatchdogMilliseconds = times.hardwareWatchdog?.milliseconds
            takeoverWaitMilliseconds = times.takeoverWait.milliseconds
            observers = times.observers
            monitorsInRings = times.monitorsInRings
        }
    }

    var file: String
    var diagnostics: [Entry]
    var timing: Timing?
    var errors: Int
    var warnings: Int
}
