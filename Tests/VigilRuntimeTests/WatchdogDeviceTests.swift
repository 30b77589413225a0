import Foundation
import Testing
@testable import VigilRuntime

#if canImport(Glibc)
import Glibc
#endif

@Suite("WatchdogDevice: the Linux watchdog API through a fake driver (no test opens a real watchdog)")
struct WatchdogDeviceTests {
    @Test("the ioctl numbers are those of <linux/watchdog.h> on x86_64 and arm64")
    func ioctlNumbers() {
        #expect(WatchdogIoctl.getSupport == 0x8028_5700)
        #expect(WatchdogIoctl.getStatus == 0x8004_5701)
        #expect(WatchdogIoctl.getBootStatus == 0x8004_5702)
        #expect(WatchdogIoctl.keepAlive == 0x8004_5705)
        #expect(WatchdogIoctl.setTimeout == 0xC004_5706)
        #expect(WatchdogIoctl.getTimeout == 0x8004_5707)
        #expect(WatchdogIoctl.getTimeLeft == 0x8004_570A)
    }

    @Test("the timeout is set from the configuration and read back; pets and the magic close reach the driver")
    func timeoutSetAndReadBack() throws {
        let driver = FakeWatchdogInterface()
        let device = try WatchdogDevice.open("/dev/watchdog", timeout: .seconds(5), interface: driver)
        #expect(driver.timeoutSet == 5 && device.timeout == .seconds(5))
        #expect(device.warnings.isEmpty && !device.isSoftdog && device.info.identity == "iTCO_wdt")
        #expect(device.keepAlive() == nil && driver.keepAlives == 1)
        device.disarm()
        device.disarm()
        #expect(driver.magicClosed && !driver.closedArmed)
        #expect(device.keepAlive() != nil && driver.keepAlives == 1, "no pet after the device was closed")
    }

    @Test("a fraction of a second is rounded up: the API counts whole seconds")
    func wholeSeconds() {
        #expect(WatchdogDevice.wholeSeconds(.milliseconds(4500)) == 5)
        #expect(WatchdogDevice.wholeSeconds(.seconds(5)) == 5)
        #expect(WatchdogDevice.wholeSeconds(.zero) == 1)
    }

    @Test("a driver that rounds down is used with its own timeout and a warning")
    func roundedDown() throws {
        let driver = FakeWatchdogInterface { $0.round = { $0 - $0 % 4 } }
        let device = try WatchdogDevice.open("/dev/watchdog", timeout: .seconds(7), interface: driver)
        #expect(device.timeout == .seconds(4))
        #expect(device.warnings == [
            "the driver of /dev/watchdog set its timeout to 4s for the 7s configured: a hung node is reset sooner"
        ])
    }

    @Test("a driver that rounds up is refused, and the device disarmed: survivors would not wait long enough")
    func roundedUp() throws {
        let driver = FakeWatchdogInterface { $0.round = { ($0 + 9) / 10 * 10 } }
        let error = try #require(throws: WatchdogDeviceError.self) {
            try WatchdogDevice.open("/dev/watchdog", timeout: .seconds(5), interface: driver)
        }
        #expect(error.message.contains("accepted a timeout of 10s for the 5s configured"))
        #expect(error.message.hasSuffix("set tuning.hardware_watchdog to 10s"))
        #expect(driver.magicClosed)
    }

    @Test("a softdog is accepted with a warning")
    func softdog() throws {
        let driver = FakeWatchdogInterface { $0.info.identity = WatchdogInfo.softdogIdentity }
        let device = try WatchdogDevice.open("/dev/watchdog", timeout: .seconds(5), interface: driver)
        #expect(device.isSoftdog)
        #expect(device.warnings.count == 1)
        #expect(device.warnings.first?.contains("kernel's software watchdog (softdog)") == true)
        #expect(device.warnings.first?.contains("not when the kernel itself hangs") == true)
        device.disarm()
    }

    @Test("a busy device names the other watchdog daemons, and who holds it when known")
    func busy() throws {
        let driver = FakeWatchdogInterface { $0.openError = EBUSY }
        let error = try #require(throws: WatchdogDeviceError.self) {
            try WatchdogDevice.open(
                "/dev/watchdog", timeout: .seconds(5), interface: driver,
                holders: { [WatchdogHolder(pid: 812, command: "sbd")] })
        }
        #expect(error.message.hasPrefix("cannot open watchdog device /dev/watchdog: it is busy: another watchdog daemon"))
        #expect(error.message.contains("(sbd, watchdog, systemd's RuntimeWatchdogSec or another vigild)"))
        #expect(error.message.contains("held by sbd (pid 812)"))
    }

    @Test("a missing device, and a timeout the driver cannot set, are clear errors")
    func otherFailures() throws {
        let missing = try #require(throws: WatchdogDeviceError.self) {
            try WatchdogDevice.open(
                "/dev/watchdog", timeout: .seconds(5), interface: FakeWatchdogInterface { $0.openError = ENOENT })
        }
        #expect(missing.message.contains("no such device"))
        let driver = FakeWatchdogInterface { $0.setTimeoutError = EINVAL }
        let unset = try #require(throws: WatchdogDeviceError.self) {
            try WatchdogDevice.open("/dev/watchdog", timeout: .seconds(5), interface: driver)
        }
        #expect(unset.message.hasPrefix("cannot set the timeout of /dev/watchdog to 5s"))
        #expect(driver.magicClosed)
    }

    @Test("who holds a device is read from a proc tree's descriptors")
    func holders() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-proc-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files = FileManager.default
        for (pid, command, target) in [("812", "sbd", "/dev/watchdog"), ("900", "sshd", "/dev/null")] {
            try files.createDirectory(atPath: "\(root)/\(pid)/fd", withIntermediateDirectories: true)
            try "\(command)\n".write(toFile: "\(root)/\(pid)/comm", atomically: true, encoding: .utf8)
            try files.createSymbolicLink(atPath: "\(root)/\(pid)/fd/3", withDestinationPath: target)
        }
        try files.createDirectory(atPath: "\(root)/self", withIntermediateDirectories: true)
        #expect(WatchdogHolders.find("/dev/watchdog", procRoot: root) == [WatchdogHolder(pid: 812, command: "sbd")])
        #expect(WatchdogHolders.find("/dev/watchdog1", procRoot: root) == [])
        #expect(WatchdogHolders.find("/dev/watchdog", procRoot: "\(root)/absent") == [])
    }
}
