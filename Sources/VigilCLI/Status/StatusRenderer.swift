import VigilModel
import VigilRuntime

/// Draws a `StatusSnapshot` as text, the way `vigil status` prints it (after the seed's clstat and
/// clRGinfo): the cluster line, the event running, then a table each of nodes, interfaces and
/// groups, with a line for every group that has a reason, a hold, a sticky node or an error.
enum StatusRenderer {
    /// The whole status, one string per line, without trailing spaces.
    static func lines(_ snapshot: StatusSnapshot) -> [String] {
        var lines = [clusterLine(snapshot)]
        lines.append(
            "node \(snapshot.localNode) answering, configuration version \(snapshot.configVersion)"
                + (snapshot.storedConfigVersion.map {
                    ", version \($0) stored: the cluster runs it (reconfig \($0)) once every member stores it"
                } ?? ""))
        if let timing = snapshot.timing {
            lines.append(timingLine(timing))
        }
        if let event = snapshot.event {
            lines.append(
                "event: #\(event.number) \(event.description), running "
                    + "\(DurationText.format(.milliseconds(event.runningMilliseconds)))"
            )
        }
        lines += ["", "nodes:"] + nodeLines(snapshot.nodes)
        if !snapshot.interfaces.isEmpty {
            lines += ["", "interfaces:"] + interfaceLines(snapshot.interfaces)
        }
        if !snapshot.groups.isEmpty {
            lines += ["", "groups:"] + groupLines(snapshot.groups, nodes: snapshot.nodes.map(\.name))
        }
        if !snapshot.counters.isEmpty {
            let counters = snapshot.counters.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            lines += ["", "counters: " + counters.joined(separator: ", ")]
        }
        return lines
    }

    /// `cluster scream (id 20): UP, STABLE, view 7, coordinator ghost1`; UNSTABLE says why.
    static func clusterLine(_ snapshot: StatusSnapshot) -> String {
        var line = "cluster \(snapshot.cluster) (id \(snapshot.clusterID)): \(snapshot.state.rawValue)"
        guard snapshot.state == .up else { return line }
        line += ", \(snapshot.substate.rawValue)"
        if snapshot.substate == .unstable, let reason = snapshot.unstableReason { line += " (\(reason))" }
        if let view = snapshot.view { line += ", view \(view)" }
        if let coordinator = snapshot.nodes.first(where: \.coordinator) { line += ", coordinator \(coordinator.name)" }
        return line
    }

    /// `timing: node failure detected after 2s, dead man switch trips after 600ms, takeover after 1s`.
    static func timingLine(_ timing: StatusSnapshot.Timing) -> String {
        func text(_ milliseconds: Int64) -> String { DurationText.format(.milliseconds(milliseconds)) }
        return
            "timing: node failure detected after \(text(timing.nodeDetectionMilliseconds)), dead man switch trips "
            + "after \(text(timing.deadManSwitchMilliseconds)), takeover after \(text(timing.takeoverWaitMilliseconds))"
    }

    /// One row per node: name, member state, `coordinator`.
    static func nodeLines(_ nodes: [StatusSnapshot.Node]) -> [String] {
        columns(nodes.map { [$0.name, $0.state.rawValue, $0.coordinator ? "coordinator" : ""] })
    }

    /// A header, then one row per interface with the service addresses it carries.
    static func interfaceLines(_ interfaces: [StatusSnapshot.Interface]) -> [String] {
        let header = ["NODE", "NAME", "LABEL", "NETWORK", "ADDRESS", "STATE", "SERVICE"]
        return columns(
            [header]
                + interfaces.map {
                    [
                        $0.node, $0.name, $0.label, $0.network, $0.address, $0.state.rawValue,
                        $0.serviceAddresses.joined(separator: " "),
                    ]
                })
    }

    /// A header with a column per node, one row per group (`-`: the node is not in its list), then
    /// a line per group with something to explain.
    static func groupLines(_ groups: [StatusSnapshot.Group], nodes: [String]? = nil) -> [String] {
        let nodes =
            nodes
            ?? groups.flatMap { $0.placements.map(\.node) }.reduce(into: [String]()) { names, node in
                if !names.contains(node) { names.append(node) }
            }
        let rows = groups.map { group in
            [group.name, group.policy]
                + nodes.map { node in
                    group.placements.contains { $0.node == node } ? group.state(on: node).rawValue : "-"
                }
        }
        return columns([["GROUP", "POLICY"] + nodes] + rows) + groups.compactMap(noteLine)
    }

    /// `  SH2: sticky on ghost4; held: administrator; error: ...; why: ...`, or nil.
    static func noteLine(_ group: StatusSnapshot.Group) -> String? {
        var notes: [String] = []
        if let node = group.sticky { notes.append("sticky on \(node)") }
        if let hold = group.hold { notes.append("held: \(hold)") }
        if let error = group.error { notes.append("error: \(error)") }
        if let reason = group.reason { notes.append("why: \(reason)") }
        return notes.isEmpty ? nil : "  \(group.name): " + notes.joined(separator: "; ")
    }

    /// Rows as lines indented by two, each column as wide as its widest cell plus two spaces.
    static func columns(_ rows: [[String]]) -> [String] {
        let count = rows.map(\.count).max() ?? 0
        let widths = (0..<count).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            var line = "  "
            for (column, cell) in row.enumerated() {
                line +=
                    column == row.count - 1
                    ? cell : cell + String(repeating: " ", count: widths[column] - cell.count + 2)
            }
            return String(line.reversed().drop { $0 == " " }.reversed())
        }
    }
}
