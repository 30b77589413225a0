import Foundation

/// Reads an interface's carrier from `/sys/class/net/DEVICE/carrier` (Linux). A device that does not
/// exist reads as lost; a device whose carrier cannot be read (loopback, some virtual devices)
/// reads as up.
struct CarrierWatch: Sendable {
    var root = "/sys/class/net"

    func hasCarrier(_ device: String) -> Bool {
        guard FileManager.default.fileExists(atPath: "\(root)/\(device)") else { return false }
        // An adapter set down reads no carrier at all (EINVAL): its operstate says it.
        let operstate = (try? String(contentsOfFile: "\(root)/\(device)/operstate", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if operstate == "down" { return false }
        guard let text = try? String(contentsOfFile: "\(root)/\(device)/carrier", encoding: .utf8) else { return true }
        return text.trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }
}
