import Foundation

/// The kernel's ARP cache is one table for every network namespace, and its size limits
/// (`net.ipv4.neigh.default.gc_thresh2/3`, 512 and 1024 entries by default) are only settable in
/// the initial namespace. A test bed of 32 nodes, each knowing every address of its peers, needs
/// about 2,000 entries: past the limit the kernel reports "neighbor table overflow", drops
/// entries and re-resolves them on every send, and the cluster drowns in that work. `up` raises the
/// limits when the test bed needs more, keeping the old values in its directory; `down` puts them
/// back.
extension Testbed {
    static let neighbourLimits = ["net.ipv4.neigh.default.gc_thresh2", "net.ipv4.neigh.default.gc_thresh3"]

    private var savedNeighbourLimits: String { "\(layout.directory)/neighbour-limits" }

    /// The entries the test bed may need: every namespace may learn every address.
    var neighbourEntriesNeeded: Int {
        let addresses =
            config.nodes.reduce(0) { $0 + $1.interfaces.count } + config.serviceAddresses.count
            + layout.clientLinks.count
        return (config.nodes.count + 2) * addresses
    }

    /// Raises the limits to fit this test bed (twice its need for the hard limit), saving the old
    /// values first unless an earlier run already saved the originals.
    func enlargeNeighbourTable() {
        let need = neighbourEntriesNeeded
        let current = Self.neighbourLimits.map {
            shell.run(["sysctl", "-n", $0], allowFailure: true).output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let soft = Int(current[0]), let hard = Int(current[1]), soft < need || hard < 2 * need else { return }
        if !FileManager.default.fileExists(atPath: savedNeighbourLimits) {
            try? "\(soft) \(hard)\n".write(toFile: savedNeighbourLimits, atomically: true, encoding: .utf8)
        }
        shell.run(
            [
                "sysctl", "-q", "-w", "\(Self.neighbourLimits[0])=\(max(soft, need))",
                "\(Self.neighbourLimits[1])=\(max(hard, 2 * need))",
            ], allowFailure: true)
    }

    /// Puts back the limits `enlargeNeighbourTable` changed, if it did.
    func restoreNeighbourTable() {
        guard let text = try? String(contentsOfFile: savedNeighbourLimits, encoding: .utf8) else { return }
        let values = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        if values.count == 2 {
            shell.run(
                [
                    "sysctl", "-q", "-w", "\(Self.neighbourLimits[0])=\(values[0])",
                    "\(Self.neighbourLimits[1])=\(values[1])",
                ], allowFailure: true)
        }
        try? FileManager.default.removeItem(atPath: savedNeighbourLimits)
    }
}
