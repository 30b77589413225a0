import ArgumentParser
import Foundation
import VigilModel
import VigilRuntime
import VigilTestbed

/// `vigil testbed up|down|status|relay CONFIG`: the network-namespace test bed by hand
/// (`scripts/testbed`). Hidden: an engineer's tool, not an administrator's.
struct TestbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "testbed",
        abstract: "Build, show or remove the network-namespace test bed of a configuration.",
        shouldDisplay: false,
        subcommands: [Up.self, Down.self, Status.self, Relay.self, TestbedWatch.self, TestbedProbe.self])

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Make the namespaces, bridges, veth pairs, addresses and disk views (after removing any earlier test "
                + "bed)."
        )
        @OptionGroup var options: TestbedOptions

        func run() throws {
            try options.requireNamespaces()
            let testbed = try options.testbed(try options.load())
            do { try testbed.up() } catch {
                testbed.down(removeDirectory: false)
                throw ValidationError("testbed up failed (removed again): \(error)")
            }
            print(testbed.status())
            print(
                "testbed: up in \(options.dir); start a node with: ip netns exec vt-NODE vigild ... (see "
                    + "docs/testbed.md)"
            )
        }
    }

    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Kill what runs in the test bed's namespaces and remove them and its directory.")
        @OptionGroup var options: TestbedOptions

        func run() throws {
            let testbed = try options.testbed(try options.load())
            let removed = testbed.down(removeDirectory: true)
            print(
                removed.isEmpty ? "testbed: nothing to remove" : removed.map { "removed \($0)" }.joined(separator: "\n")
            )
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the test bed's namespaces, addresses and processes.")
        @OptionGroup var options: TestbedOptions

        func run() throws {
            print(try options.testbed(try options.load()).status())
        }
    }

    struct Relay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The disk relay (started by `up` in vt-switch; runs until killed).")
        @OptionGroup var options: TestbedOptions

        @Option(help: "A slow disk: each pass waits up to this much longer, at random (with its unit).")
        var slow: String?

        @Option(help: "A configuration file a plan syncs: the nodes it adds have their disk slots too (repeatable).")
        var also: [String] = []

        func validate() throws {
            if let slow, DurationText.parse(slow) == nil {
                throw ValidationError("--slow '\(slow)' is not a duration with a unit")
            }
        }

        func run() throws {
            let world = PlanHosts.configuration(try options.load(), syncing: also)
            var relay = DiskRelay(layout: TestbedLayout(config: world, directory: options.dir))
            relay.slowdown = slow.flatMap(DurationText.parse) ?? .zero
            try relay.run()
        }
    }
}
