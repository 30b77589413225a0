extension Verifier {
    /// `tuning.hardware_watchdog`, when written, is whole seconds within
    /// `ConfigLimits.hardwareWatchdogSeconds` (the Linux watchdog API sets a timeout in seconds).
    static func checkHardwareWatchdog(_ context: VerifyContext) -> [Diagnostic] {
        guard let timeout = context.config.tuning.hardwareWatchdog else { return [] }
        let range = ConfigLimits.hardwareWatchdogSeconds
        let seconds = timeout.components.seconds
        guard timeout.components.attoseconds == 0 else {
            let rounded = DurationText.format(.seconds(seconds + 1))
            return [
                context.error(
                    "tuning.hardware_watchdog",
                    """
                    hardware_watchdog is \(DurationText.format(timeout)); it must be whole seconds (a watchdog \
                    device takes its timeout in seconds), e.g. \(rounded)
                    """)
            ]
        }
        guard range.contains(Int(clamping: seconds)) else {
            return [
                context.error(
                    "tuning.hardware_watchdog",
                    """
                    hardware_watchdog is \(DurationText.format(timeout)); it must be from \(range.lowerBound)s to \
                    \(range.upperBound)s (every takeover waits the whole timeout), e.g. 5s
                    """)
            ]
        }
        return []
    }
}
