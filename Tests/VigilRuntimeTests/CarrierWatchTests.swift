import Foundation
import Testing
@testable import VigilRuntime

/// The carrier as sysfs shows it: an adapter set down (`ip link set DEV down`) has no readable
/// carrier file, only its operstate; a missing device has lost its carrier; loopback has none.
@Suite struct CarrierWatchTests {
    @Test func readsOperstateCarrierAndMissingDevices() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let root = directory.path
        func device(_ name: String, operstate: String, carrier: String?) throws {
            try FileManager.default.createDirectory(atPath: "\(root)/\(name)", withIntermediateDirectories: true)
            try operstate.write(toFile: "\(root)/\(name)/operstate", atomically: true, encoding: .utf8)
            if let carrier { try carrier.write(toFile: "\(root)/\(name)/carrier", atomically: true, encoding: .utf8) }
        }
        try device("en0", operstate: "up\n", carrier: "1\n")
        try device("en1", operstate: "down\n", carrier: nil)          // set down: carrier unreadable
        try device("en2", operstate: "lowerlayerdown\n", carrier: "0\n")  // its peer or cable is gone
        try device("lo", operstate: "unknown\n", carrier: nil)
        let watch = CarrierWatch(root: root)
        #expect(watch.hasCarrier("en0"))
        #expect(!watch.hasCarrier("en1"))
        #expect(!watch.hasCarrier("en2"))
        #expect(watch.hasCarrier("lo"))
        #expect(!watch.hasCarrier("en9"))
    }
}
