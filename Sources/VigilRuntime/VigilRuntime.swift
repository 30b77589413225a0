/// The daemon's shell around the core. `Host/` holds everything that touches the host: commands,
/// drivers, hooks, logs and the watchdog.
