#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import VigilModel
import VigilTestbed

/// The test bed's never-two-owners check reads the kernel: a service address configured in two
/// node namespaces at once is reported; once one lets go, nothing is. Needs root (namespaces);
/// reported as skipped elsewhere. Makes only `vt-ghost1` and `vt-ghost2`, and removes them.
@Suite(.serialized) struct HostTruthDuplicatesTests {
    @Test(.enabled(if: geteuid() == 0, "network namespaces need root"))
    func aServiceAddressInTwoNamespacesIsReportedOnlyWhileBothHoldIt() throws {
        let layout = try TestbedLayoutTests.layout()
        let shell = TestbedShell()
        let truth = HostTruth(layout: layout, shell: shell, vigil: "vigil")
        let label = "ghost4"
        let address = try #require(truth.serviceAddresses.first { $0.label == label }?.address)
        let namespaces = ["ghost1", "ghost2"].map { layout.namespace(of: $0) }
        for namespace in namespaces where Testbed.namespaces(shell: shell).contains(namespace) {
            Issue.record("\(namespace) exists already: is a test bed up?")
            return
        }
        defer { for namespace in namespaces { shell.run(["ip", "netns", "del", namespace], allowFailure: true) } }
        for namespace in namespaces {
            shell.run(["ip", "netns", "add", namespace])
            shell.ip(namespace, "link set lo up")
            shell.ip(namespace, "addr add \(address)/32 dev lo")
        }
        let both = truth.duplicates()
        #expect(both.count == 1 && both[0].contains("\(address)") && both[0].contains("ghost1/lo") && both[0].contains("ghost2/lo"), "\(both)")
        shell.ip(namespaces[0], "addr del \(address)/32 dev lo")
        #expect(truth.duplicates().isEmpty)
    }
}
