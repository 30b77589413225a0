/// A program the cluster keeps running (the seed's application server): a start, a stop and an
/// optional monitor command, each run with a timeout after which it is killed with its process group.
public struct Application: Sendable, Equatable {
    public var name: String
    public var start: String
    public var stop: String
    /// Exits 0 while the application is healthy. `nil`: the application is not monitored.
    public var monitor: String?
    public var startTimeout: Duration
    public var stopTimeout: Duration
    public var monitorTimeout: Duration
    /// How often the monitor runs.
    public var monitorInterval: Duration
    /// How many times a failing application is restarted on the same node before its group moves.
    public var restartCount: Int

    public init(
        name: String, start: String, stop: String, monitor: String? = nil,
        startTimeout: Duration = .seconds(60), stopTimeout: Duration = .seconds(60),
        monitorTimeout: Duration = .seconds(10), monitorInterval: Duration = .seconds(10),
        restartCount: Int = 3
    ) {
        self.name = name
        self.start = start
        self.stop = stop
        self.monitor = monitor
        self.startTimeout = startTimeout
        self.stopTimeout = stopTimeout
        self.monitorTimeout = monitorTimeout
        self.monitorInterval = monitorInterval
        self.restartCount = restartCount
    }
}
