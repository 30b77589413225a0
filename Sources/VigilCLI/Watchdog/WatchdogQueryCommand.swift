import ArgumentParser
import Foundation
import VigilRuntime

/// `vigil watchdog query`: what the kernel says of the watchdog device, read from sysfs without
/// opening it (which would arm it): identity, timeout, state, nowayout, the last boot's cause, and
/// who holds it (vigild, or another watchdog daemon). Exits 1 when there is no such device.
struct WatchdogQueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Show the watchdog device without opening it.",
        discussion: """
            Reads /sys/class/watchdog (opening the device would arm it): identity, whether it is the \
            kernel's softdog, state, timeout, time left, nowayout, whether the last boot was a watchdog \
            reset, and which process holds it. Exits 1 when there is no such device.
            """
    )

    @OptionGroup var location: WatchdogLocation

    /// What `run` prints, and whether there is no device.
    func output() -> (lines: [String], failed: Bool) {
        let device = location.device
        guard let entry = WatchdogSysfs(device: device, sysfsRoot: location.sysfsRoot) else {
            let others = WatchdogSysfs.entries(sysfsRoot: location.sysfsRoot)
            let hint =
                others.isEmpty
                ? "no watchdog driver is loaded (a hardware one, or `modprobe softdog` to try Vigil out)"
                : "the watchdogs here are \(others.joined(separator: ", ")): give --device /dev/\(others[0])"
            let path = "\(location.sysfsRoot)/class/watchdog/\(WatchdogSysfs.entryName(of: device))"
            return (["vigil watchdog query: no watchdog device \(device) (\(path) does not exist): \(hint)"], true)
        }
        return (lines(entry, holders: WatchdogHolders.find(device, procRoot: location.procRoot)), false)
    }

    func lines(_ entry: WatchdogSysfs, holders: [WatchdogHolder]) -> [String] {
        func seconds(_ value: Int?) -> String { value.map { "\($0)s" } ?? "unknown" }
        var lines = ["device: \(location.device) (\(entry.name))"]
        let identity = entry.identity ?? "unknown"
        lines.append(
            entry.isSoftdog
                ? "identity: \(identity) (the kernel's softdog: it resets when the pets stop, not when the kernel "
                    + "hangs; vigild accepts it with a warning)"
                : "identity: \(identity)")
        lines.append("state: \(entry.state ?? "unknown")")
        lines.append("timeout: \(seconds(entry.timeout))")
        if entry.state == "active" { lines.append("time left: \(seconds(entry.timeLeft))") }
        switch entry.nowayout {
        case true?:
            lines.append("nowayout: yes (once opened it cannot be disarmed: stopping its daemon resets the node)")
        case false?: lines.append("nowayout: no (a magic close disarms it)")
        case nil: lines.append("nowayout: unknown")
        }
        if let boot = entry.bootStatus {
            lines.append(
                "boot status: \(boot)"
                    + (entry.lastBootWasReset ? " (the last boot was a watchdog reset)" : ""))
        }
        if holders.isEmpty {
            lines.append("held by: nobody (vigild is not using it)")
        } else {
            let usedByVigild = holders.contains { $0.command == "vigild" }
            lines.append(
                "held by: \(holders.map(\.description).joined(separator: ", "))"
                    + (usedByVigild ? " (vigild is using it)" : " (another watchdog daemon: vigild cannot open it)"))
        }
        return lines
    }

    func run() throws {
        let (lines, failed) = output()
        if failed {
            for line in lines { printToStandardError(line) }
            throw ExitCode(1)
        }
        for line in lines { print(line) }
    }
}
