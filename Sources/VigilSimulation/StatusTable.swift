import VigilCore
import VigilModel

/// The simulated cluster as an administrator would look at it (the seed's clstat and clRGinfo):
/// each node with its state and what it holds, each group with where it runs and why.
public enum StatusTable {
    /// One line per node, then one per group.
    public static func lines(of simulator: Simulator) -> [String] {
        let config = simulator.config
        let agreed = config.nodes.compactMap { simulator.hosts[$0.name]?.core?.installed }.max { $1.isNewer(than: $0) }
        var lines: [String] = []
        let substate = agreed.map { $0.isStable ? "STABLE" : "UNSTABLE" } ?? "-"
        lines.append(
            "cluster \(config.name): \(agreed == nil ? "DOWN" : "UP"), "
                + "\(substate)\(agreed.map { ", view \($0.epoch), coordinator \($0.coordinator)" } ?? "")"
        )
        for node in config.nodes {
            let host = simulator.hosts[node.name]!
            let state =
                !host.isUp
                ? "DOWN (crashed)"
                : host.core == nil
                    ? "DOWN (stopped)"
                    : agreed?.disconnected.contains(node.name) == true
                        ? "DISCONNECTED"
                        : agreed?.netpar.contains(node.name) == true
                            ? "NETPAR"
                            : agreed?.up.contains(node.name) == true ? "UP" : "JOINING"
            let groups = config.resourceGroups.compactMap { group -> String? in
                let held = host.core?.holdings.state(of: group.name) ?? .offline
                return held == .offline ? nil : "\(group.name) \(held.rawValue)"
            }
            let addresses = host.resources.addresses.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value)" }
            lines.append(
                "  " + pad(node.name, 8) + pad(state, 16)
                    + pad(groups.isEmpty ? "---" : groups.joined(separator: ", "), 28)
                    + addresses.joined(separator: " "))
        }
        for group in config.resourceGroups {
            guard let placement = agreed?.placement[group.name] else { continue }
            lines.append(
                "  \(pad(group.name, 6)) "
                    + "\(pad(placement.nodes.isEmpty ? "OFFLINE" : placement.nodes.joined(separator: "+"), 14)) "
                    + "\(placement.reason)"
            )
        }
        return lines
    }

    /// The cluster log lines between two moments, each event once (every node logs it).
    public static func events(of simulator: Simulator, since: Moment) -> [String] {
        var seen: Set<String> = []
        return simulator.clusterLog.filter {
            $0.time >= since && ($0.text.hasPrefix("EVENT") || $0.text.contains("left out"))
        }
        .map { "\($0.time) \($0.text)" }
        .filter { seen.insert($0).inserted }
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
