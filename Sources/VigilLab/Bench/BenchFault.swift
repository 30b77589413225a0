/// The faults whose client-observed gap the benchmark measures, for Vigil and for keepalived.
enum BenchFault: String, CaseIterable, Sendable {
    /// The owner powers off: SIGKILL to everything in its namespace, links down.
    case crash
    /// The owner's adapter holding the service address fails (`ip link set DEV down`); Vigil swaps
    /// the address to the node's standby adapter, keepalived (no standby adapters) fails over.
    case swap
    /// The owner loses the public network: the switch ends of its adapters go down.
    case network
    /// An administrator moves the service on purpose: `vigil rg move`, or keepalived stopped on
    /// the master (it then advertises priority 0).
    case move

    /// The figure names: `gap.crash`, `detect.crash`, `keepalived.gap.crash`...
    var gapName: String { "gap.\(rawValue)" }
    var detectName: String { "detect.\(rawValue)" }

    var description: String {
        switch self {
        case .crash: "node crash (SIGKILL, links down)"
        case .swap: "service adapter failure, standby on the node"
        case .network: "public network lost on the owner"
        case .move: "graceful move"
        }
    }
}
