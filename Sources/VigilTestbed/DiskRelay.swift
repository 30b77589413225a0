import Foundation
import VigilModel
import VigilRuntime

/// The test bed's shared disk. Every node opens its disk network's configured device, but in its
/// mount namespace the test bed binds the node's own view file there; the relay copies each node's
/// slot from its view to the views of the other nodes on the network, every `interval`: the storage
/// fabric between the hosts. A node whose fault marker exists (`TestbedLayout.diskFault`) is left
/// out both ways (its path to the disk has failed); a partition file keeps each side to itself.
///
/// Why a relay and not one shared file: the daemon keeps the device open, so a fault made on the
/// path (a bind mount, a permission) would never reach it, and the host cannot fail one node's I/O
/// on a shared file. Limitation: the tiebreaker sector is not relayed (majority quorum only).
public struct DiskRelay: Sendable {
    public let layout: TestbedLayout
    public var interval: Duration = .milliseconds(20)
    /// A slow disk (`vigil bench`'s stress run): each pass waits up to this much longer, at random,
    /// so a slot reaches the other nodes between `interval` and `interval + slowdown` late.
    public var slowdown: Duration = .zero

    public init(layout: TestbedLayout) {
        self.layout = layout
    }

    /// Runs until the process is killed (the relay runs in vt-switch and ends with it).
    public func run() throws -> Never {
        let diskLayout = DiskLayout.daemon(nodeSlots: layout.config.nodes.count)
        var devices: [String: DiskDevice] = [:]
        var lastCopied: [String: [UInt8]] = [:]
        while true {
            for network in layout.diskNetworks {
                let members = layout.diskMembers(network.name)
                let sides = partition(of: network.name)
                let working = members.filter {
                    !FileManager.default.fileExists(atPath: layout.diskFault(network.name, of: $0.node))
                }
                for source in working {
                    let from = try device(layout.diskView(network.name, of: source.node), diskLayout, &devices)
                    let image = try from.readSlot(source.slot, count: diskLayout.slotSize)
                    for target in working
                    where target.node != source.node && sides[target.node, default: 0] == sides[source.node, default: 0]
                    {
                        let key = "\(network.name) \(source.node) \(target.node)"
                        guard lastCopied[key] != image else { continue }
                        let to = try device(layout.diskView(network.name, of: target.node), diskLayout, &devices)
                        try to.writeSlot(image, slot: source.slot)
                        lastCopied[key] = image
                    }
                }
            }
            let extra =
                slowdown > .zero
                ? Double.random(
                    in: 0...(Double(slowdown.components.attoseconds) / 1e18 + Double(slowdown.components.seconds))) : 0
            Thread.sleep(
                forTimeInterval: Double(interval.components.attoseconds) / 1e18 + Double(interval.components.seconds)
                    + extra)
        }
    }

    private func device(_ path: String, _ diskLayout: DiskLayout, _ devices: inout [String: DiskDevice]) throws
        -> DiskDevice
    {
        if let known = devices[path] { return known }
        let device = try DiskDevice(path: path, layout: diskLayout, create: true)
        devices[path] = device
        return device
    }

    /// The side of each node in a partition of `network` (all on side 0 when there is none).
    private func partition(of network: String) -> [String: Int] {
        guard let text = try? String(contentsOfFile: "\(layout.diskDirectory)/\(network).partition", encoding: .utf8)
        else { return [:] }
        var sides: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if words.count == 2, let side = Int(words[1]) { sides[String(words[0])] = side }
        }
        return sides
    }
}
