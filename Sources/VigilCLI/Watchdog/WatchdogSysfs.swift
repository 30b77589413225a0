import Foundation
import VigilRuntime

/// What the kernel shows of a watchdog device in sysfs (`/sys/class/watchdog/watchdogN/`), read
/// without opening the device: opening it arms it on most drivers, and a device opened and not
/// petted resets the node.
struct WatchdogSysfs: Equatable {
    /// `watchdog0`: the entry the device is; `/dev/watchdog` is the first one registered.
    var name: String
    var identity: String?
    /// `active` or `inactive`.
    var state: String?
    var timeout: Int?
    var timeLeft: Int?
    var nowayout: Bool?
    /// `WDIOF_*` flags of the last boot, as the kernel prints them (`0x20` after a watchdog reset).
    var bootStatus: String?
    var status: String?

    /// The sysfs entry of `device`: `/dev/watchdogN` is `watchdogN`, `/dev/watchdog` is `watchdog0`.
    static func entryName(of device: String) -> String {
        let name = (device as NSString).lastPathComponent
        return name == "watchdog" ? "watchdog0" : name
    }

    /// Reads the entry of `device` under `sysfsRoot`; `nil` when there is none.
    init?(device: String, sysfsRoot: String) {
        name = Self.entryName(of: device)
        let directory = "\(sysfsRoot)/class/watchdog/\(name)"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
        else { return nil }
        func read(_ file: String) -> String? {
            guard let text = try? String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8) else { return nil }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        }
        identity = read("identity")
        state = read("state")
        timeout = read("timeout").flatMap { Int($0) }
        timeLeft = read("timeleft").flatMap { Int($0) }
        nowayout = read("nowayout").map { $0 == "1" }
        bootStatus = read("bootstatus")
        status = read("status")
    }

    /// The entries under `sysfsRoot/class/watchdog`, sorted.
    static func entries(sysfsRoot: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(sysfsRoot)/class/watchdog")) ?? []
        return names.filter { $0.hasPrefix("watchdog") }.sorted()
    }

    var isSoftdog: Bool { identity == WatchdogInfo.softdogIdentity }

    /// Whether the last boot was caused by the watchdog (`WDIOF_CARDRESET` in the boot status).
    var lastBootWasReset: Bool {
        guard let bootStatus else { return false }
        let digits = bootStatus.hasPrefix("0x") ? String(bootStatus.dropFirst(2)) : bootStatus
        let radix = bootStatus.hasPrefix("0x") ? 16 : 10
        guard let flags = UInt32(digits, radix: radix) else { return false }
        return flags & WatchdogIoctl.cardReset != 0
    }
}
