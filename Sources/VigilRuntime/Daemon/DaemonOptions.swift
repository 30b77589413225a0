import VigilModel

/// How one `vigild` runs: which node of which configuration it is, where it keeps its state, and
/// which drivers and paths it uses.
public struct DaemonOptions: Sendable {
    /// The configuration file and the configuration read from it.
    public var configPath: String
    public var config: ClusterConfig
    /// The version of `config` (0: a --config file never synchronised) and why it was chosen.
    public var configVersion: UInt64
    public var configNote: String?
    /// The text `config` was read from (`vigil config show`); `nil` when the daemon was given a
    /// configuration built in memory (tests).
    public var configText: String?
    /// This node's name in the configuration.
    public var node: String
    /// Where the node keeps its logs, its incarnation and what its drivers recorded.
    public var stateDirectory: String
    /// The shared cluster key file (`ClusterKey`).
    public var keyPath: String
    /// The UDP port of every adapter's socket.
    public var port: Int
    /// The real `ip` driver, or the loopback stand-in of the unprivileged local demo.
    public var addressDriver: AddressDriverKind
    /// The control socket `vigil` talks to.
    public var socketPath: String
    /// Start cluster services at once (as `vigil start` would).
    public var startServices: Bool
    /// Run this command when the dead man switch trips, after releasing (e.g. `reboot -f`).
    public var haltCommand: [String]?
    /// A watchdog device to pet as well (`/dev/watchdog`), if any.
    public var watchdogDevice: String?
    /// The system calls made on the watchdog device (a test's fake; the real ones by default).
    public var watchdogInterface: any WatchdogInterface = LinuxWatchdogInterface()
    /// The `vigild` executable started as the dead man switch's process (`--watchdog-for`);
    /// `nil`: this process's own executable (a daemon run inside another program, as in tests,
    /// names the real `vigild`).
    public var watchdogExecutable: String?
    /// Whether applications run in cgroups where they can (`ApplicationContainment`).
    public var containment: ApplicationContainment.Choice
    /// The directory whose files named by the configuration `vigil sync` carries to every node
    /// (`ConfigBundle`): the hook and application scripts.
    public var filesDirectory: String
    /// The service manager to tell about readiness, status and watchdog pets (docs/systemd.md);
    /// by default none.
    public var serviceManager: ServiceManagerNotifier = .disabled
    /// journald's native socket, to send every log line to as well (`JournalSink`); `nil` (the
    /// default of a daemon built in a program: vigild gives `JournalSink.defaultSocketPath`): none.
    public var journalSocket: String? = nil

    public init(
        configPath: String, config: ClusterConfig, configVersion: UInt64 = 0, configNote: String? = nil,
        configText: String? = nil, node: String,
        stateDirectory: String, keyPath: String,
        port: Int = UDPTransport.defaultPort, addressDriver: AddressDriverKind = .ip, socketPath: String,
        startServices: Bool = false, haltCommand: [String]? = nil,
        watchdogDevice: String? = nil, watchdogExecutable: String? = nil,
        containment: ApplicationContainment.Choice = .automatic, filesDirectory: String = "/etc/vigil"
    ) {
        self.configPath = configPath
        self.config = config
        self.configVersion = configVersion
        self.configNote = configNote
        self.configText = configText
        self.node = node
        self.stateDirectory = stateDirectory
        self.keyPath = keyPath
        self.port = port
        self.addressDriver = addressDriver
        self.socketPath = socketPath
        self.startServices = startServices
        self.haltCommand = haltCommand
        self.watchdogDevice = watchdogDevice
        self.watchdogExecutable = watchdogExecutable
        self.containment = containment
        self.filesDirectory = filesDirectory
    }
}
