/// The daemon's shell around the core. Grows with the daemon issue.
