import ArgumentParser

/// `vigil watchdog`: the node's hardware watchdog, as `vigild --watchdog-device` uses it
/// (`query`, `test`).
struct WatchdogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watchdog",
        abstract: "Show or test this node's hardware watchdog.",
        discussion: """
            vigild --watchdog-device /dev/watchdog arms the device with tuning.hardware_watchdog as its \
            timeout and pets it only while this node's lease holds: a node that lost its lease and still \
            holds groups is reset by the hardware (docs/watchdog.md).
            """,
        subcommands: [WatchdogQueryCommand.self, WatchdogTestCommand.self]
    )
}

/// Where the watchdog's files are read: the device, and the roots of sysfs and procfs (hidden
/// options, so that tests read a tree of their own).
struct WatchdogLocation: ParsableArguments {
    @Option(help: ArgumentHelp("The watchdog device.", valueName: "path"))
    var device = "/dev/watchdog"

    @Option(help: .hidden)
    var sysfsRoot = "/sys"

    @Option(help: .hidden)
    var procRoot = "/proc"
}
