/// Timing settings, timeouts and hooks.
extension Verifier {
    /// Heartbeats beat (interval > 0) and tolerate one lost packet (missed beats >= 2), for a network
    /// type that exists; `config_too_long` is positive.
    static func checkHeartbeats(_ context: VerifyContext) -> [Diagnostic] {
        let tuning = context.config.tuning
        let types = Set(context.config.networks.map(\.type))
        var found: [Diagnostic] = []
        for (type, settings) in tuning.heartbeats.sorted(by: { $0.key < $1.key }) {
            let path = "tuning.heartbeat.\(type)"
            if settings.interval <= .zero {
                found.append(
                    context.error(
                        "\(path).interval", "heartbeat interval of network type \(type) must be more than 0, e.g. 200ms"
                    ))
            }
            if settings.missedBeats < 2 {
                found.append(
                    context.error(
                        "\(path).missed_beats",
                        """
                        missed_beats of network type \(type) is \(settings.missedBeats); it must be at least 2, or \
                        a single lost packet declares a path down
                        """))
            }
            if !types.contains(type) {
                found.append(
                    context.warning(
                        path,
                        """
                        no network has type \(type), so these heartbeat settings apply to nothing; the types in \
                        use are: \(VerifyContext.list(types.sorted()))
                        """))
            }
        }
        if tuning.configTooLong <= .zero {
            found.append(context.error("tuning.config_too_long", "config_too_long must be more than 0, e.g. 360s"))
        }
        let observers = ConfigLimits.observers
        if !observers.contains(tuning.observers) {
            found.append(
                context.error(
                    "tuning.observers",
                    """
                    observers is \(tuning.observers); it must be from \(observers.lowerBound) to \
                    \(observers.upperBound): each node of a large view heartbeats that many ring neighbours, and \
                    with one a single slow neighbour would leave it unwatched
                    """))
        }
        return found
    }

    /// Application timeouts and intervals are positive; restart counts are not negative.
    static func checkTimeouts(_ context: VerifyContext) -> [Diagnostic] {
        var found: [Diagnostic] = []
        for (application, path) in zip(context.config.applications, context.paths.applications) {
            let durations: [(String, Duration)] = [
                ("start_timeout", application.startTimeout), ("stop_timeout", application.stopTimeout),
                ("monitor_timeout", application.monitorTimeout), ("monitor_interval", application.monitorInterval),
            ]
            for (field, value) in durations where value <= .zero {
                found.append(
                    context.error(
                        "\(path).\(field)", "\(field) of application \(application.name) must be more than 0, e.g. 10s")
                )
            }
            if application.restartCount < 0 {
                found.append(
                    context.error(
                        "\(path).restart_count",
                        """
                        restart_count of application \(application.name) is \(application.restartCount); use 0 (move \
                        the group at the first failure) or more
                        """))
            }
        }
        return found
    }

    /// Hook timeouts are positive; a recovery command's retry count is not negative.
    static func checkHooks(_ context: VerifyContext) -> [Diagnostic] {
        var found: [Diagnostic] = []
        for (event, hooks) in context.config.hooks.sorted(by: { $0.key < $1.key }) {
            let path = "hooks.\(event.rawValue)"
            if hooks.timeout <= .zero {
                found.append(
                    context.error("\(path).timeout", "hook timeout of \(event.rawValue) must be more than 0, e.g. 60s"))
            }
            if let recovery = hooks.recovery, recovery.retries < 0 {
                found.append(
                    context.error(
                        "\(path).recovery.retries",
                        """
                        recovery retries of \(event.rawValue) is \(recovery.retries); use 0 (run the recovery \
                        command, do not retry) or more
                        """))
            }
        }
        return found
    }
}
