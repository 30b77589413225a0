/// The request numbers of the Linux watchdog API (`<linux/watchdog.h>`), computed here rather than
/// taken from the C header (Swift does not import its function-like `_IOR` macros).
///
/// An ioctl number packs four fields (`<asm-generic/ioctl.h>`, used by x86_64 and arm64):
///
/// | bits  | field     | here                                                   |
/// |-------|-----------|--------------------------------------------------------|
/// | 0–7   | number    | 0 to 10                                                |
/// | 8–15  | type      | `'W'` (0x57)                                           |
/// | 16–29 | size      | of the argument: 4 (an `int`), 40 (`struct watchdog_info`) |
/// | 30–31 | direction | 2 = read (`_IOR`), 3 = read and write (`_IOWR`)        |
///
/// So `WDIOC_GETSUPPORT = _IOR('W', 0, struct watchdog_info)` is `0x80285700` and
/// `WDIOC_SETTIMEOUT = _IOWR('W', 6, int)` is `0xC0045706`. (Other architectures, such as powerpc
/// and mips, lay the bits out differently: Vigil runs on x86_64 and arm64.)
public enum WatchdogIoctl {
    /// `_IOC(direction, type, number, size)` of `<asm-generic/ioctl.h>`.
    static func request(direction: UInt, number: UInt, size: UInt) -> UInt {
        (direction << 30) | (size << 16) | (UInt(UInt8(ascii: "W")) << 8) | number
    }

    static let read: UInt = 2
    static let readWrite: UInt = 3
    /// `sizeof(int)`.
    static let intSize: UInt = 4
    /// `sizeof(struct watchdog_info)`: `__u32 options`, `__u32 firmware_version`, `__u8 identity[32]`.
    static let infoSize: UInt = 40

    /// `_IOR('W', 0, struct watchdog_info)`: what the driver supports and its identity.
    public static let getSupport = request(direction: read, number: 0, size: infoSize)
    /// `_IOR('W', 1, int)`: the `WDIOF_*` flags of the device's status.
    public static let getStatus = request(direction: read, number: 1, size: intSize)
    /// `_IOR('W', 2, int)`: the `WDIOF_*` flags of the last boot (`WDIOF_CARDRESET` after a reset).
    public static let getBootStatus = request(direction: read, number: 2, size: intSize)
    /// `_IOR('W', 5, int)`: a pet.
    public static let keepAlive = request(direction: read, number: 5, size: intSize)
    /// `_IOWR('W', 6, int)`: sets the timeout in seconds; the driver writes back what it accepted.
    public static let setTimeout = request(direction: readWrite, number: 6, size: intSize)
    /// `_IOR('W', 7, int)`: the timeout in seconds.
    public static let getTimeout = request(direction: read, number: 7, size: intSize)
    /// `_IOR('W', 10, int)`: seconds left before the reset.
    public static let getTimeLeft = request(direction: read, number: 10, size: intSize)

    /// `WDIOF_SETTIMEOUT`: the timeout can be set.
    public static let canSetTimeout: UInt32 = 0x0080
    /// `WDIOF_MAGICCLOSE`: writing `V` before closing disarms the device.
    public static let magicClose: UInt32 = 0x0100
    /// `WDIOF_KEEPALIVEPING`: `WDIOC_KEEPALIVE` pets.
    public static let keepAlivePing: UInt32 = 0x8000
    /// `WDIOF_CARDRESET`: the last reboot was caused by the watchdog.
    public static let cardReset: UInt32 = 0x0020
}
