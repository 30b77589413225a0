import Synchronization

/// Keeps the dead man switch's plan current in both its halves: the watchdog thread's (in
/// memory, `EmergencyRelease`) and the watchdog process's (the plan file, `WatchdogProcess.Link`).
///
/// Changes are applied one at a time, in order. Every plan written names the applications' cgroup
/// root (from the daemon's first write, before any application can start) and the process groups
/// of the driver's record at the moment of the write: a change computed from an older reading of
/// the groups (the host worker reads them after a batch) can never drop the group of a start
/// spawned meanwhile (`refresh`, by the application driver's spawn hook).
final class EmergencyPlanKeeper: Sendable {
    let release: EmergencyRelease
    let link: WatchdogProcess.Link
    let groups: ProcessGroupRecord
    /// The applications' cgroup root, in every plan (empty in process-group containment).
    let cgroups: [String]
    private let plan = Mutex(EmergencyPlan())

    init(release: EmergencyRelease, link: WatchdogProcess.Link, groups: ProcessGroupRecord, cgroups: [String]) {
        self.release = release
        self.link = link
        self.groups = groups
        self.cgroups = cgroups
    }

    /// Changes the plan and hands it to both halves before it returns. Throws when the plan file
    /// cannot be written: the thread then has the new plan, the watchdog process the one before.
    func update(_ change: (inout EmergencyPlan) -> Void) throws(DriverFailure) {
        try plan.withLock { (plan: inout EmergencyPlan) throws(DriverFailure) in
            change(&plan)
            plan.processGroups = groups.current.values.sorted()
            plan.cgroups = cgroups
            release.update(plan)
            try link.publish(plan)
        }
    }

    /// Writes the plan again with the process groups recorded now: called the moment a start
    /// command is spawned, before it may run anything.
    func refresh() throws(DriverFailure) { try update { _ in } }

    /// The plan last handed out.
    var current: EmergencyPlan { plan.withLock { $0 } }
}
