import ArgumentParser
import Foundation
import VigilModel
import VigilRuntime

/// `vigil watchdog test --yes-reset-this-node`: proves the watchdog resets this node, as sbd's
/// `test-watchdog` does: opens the device, sets its timeout, and stops petting it. Without the
/// flag it refuses in one line and touches nothing.
struct WatchdogTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Reset this node through its watchdog, to prove that the watchdog works.",
        discussion: """
            Opens the device (which arms it), sets its timeout, and never pets it: the node should reset \
            when the timeout runs out. Refuses unless --yes-reset-this-node is given. Fails at once if \
            vigild or another watchdog daemon holds the device.
            """
    )

    @OptionGroup var location: WatchdogLocation

    @Option(help: ArgumentHelp("The timeout to set, in whole seconds (e.g. 5s).", valueName: "duration"))
    var timeout = "5s"

    @Flag(help: "Confirm that this node is to be reset.")
    var yesResetThisNode = false

    /// The refusal without the flag, in one line.
    var refusal: String? {
        guard !yesResetThisNode else { return nil }
        return "vigil watchdog test: refused: it resets this node (it arms \(location.device) and stops petting it); "
            + "give --yes-reset-this-node to go ahead"
    }

    /// The timeout asked for, whole seconds within `ConfigLimits.hardwareWatchdogSeconds`.
    func timeoutValue() throws -> Duration {
        let range = ConfigLimits.hardwareWatchdogSeconds
        guard case .success(let value) = DurationText.read(timeout), value.components.attoseconds == 0,
            range.contains(Int(clamping: value.components.seconds))
        else {
            throw ValidationError(
                "--timeout must be whole seconds from \(range.lowerBound)s to \(range.upperBound)s, not '\(timeout)'")
        }
        return value
    }

    func validate() throws { _ = try timeoutValue() }

    func run() throws {
        if let refusal {
            printToStandardError(refusal)
            throw ExitCode(1)
        }
        let path = location.device
        let device: WatchdogDevice
        do {
            device = try WatchdogDevice.open(
                path, timeout: try timeoutValue(),
                holders: { WatchdogHolders.find(path, procRoot: location.procRoot) })
        } catch {
            printToStandardError("vigil watchdog test: \(error)")
            throw ExitCode(1)
        }
        for warning in device.warnings { printToStandardError("warning: \(warning)") }
        let seconds = device.timeout.components.seconds
        print("\(path) (\(device.info.identity)) armed with a timeout of \(seconds)s and no longer petted:")
        print("this node should reset in \(seconds)s")
        for left in stride(from: seconds, to: 0, by: -1) {
            print("\(left)s")
            Thread.sleep(forTimeInterval: 1)
        }
        Thread.sleep(forTimeInterval: Double(Self.grace.components.seconds))
        device.abandon()
        printToStandardError(
            "vigil watchdog test: this node was not reset \(seconds + Self.grace.components.seconds)s after the "
                + "last pet: the watchdog does not work (it stays armed)")
        throw ExitCode(1)
    }

    /// How long past the timeout the command waits before it says the reset did not come.
    static let grace: Duration = .seconds(5)
}
