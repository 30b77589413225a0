// vigild: the Vigil daemon, one per node. It reads the configuration, binds a UDP socket on each
// of the node's adapters, watches the shared disk, opens the control socket `vigil` talks to, and
// runs the node's core until SIGTERM (which stops cluster services gracefully first).
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import VigilHTTP
import VigilModel
import VigilRuntime

@main
struct Vigild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigild",
        abstract:
            "The Vigil cluster daemon: watches every node over every network and the shared disk, and moves resource "
            + "groups when something fails.",
        discussion: """
            One vigild runs on every node. It refuses a configuration that `vigil verify` reports errors in. \
            SIGTERM or SIGINT stops cluster services gracefully (groups released, no takeover), then ends the daemon; \
            if that takes longer than a minute, the daemon is cancelled.
            """,
        version: VigilVersion.versionLine(program: "vigild"))

    @Option(
        help: """
            The cluster configuration (YAML). A newer one stored by `vigil sync` (STATE/cluster.yaml) is used \
            instead when this file differs from it.
            """)
    var config: String = "/etc/vigil/cluster.yaml"

    @Option(help: "This node's name in the configuration (default: the host name).")
    var node: String?

    @Option(help: "Where this node keeps its logs (vigil.log, cluster.log) and state.")
    var stateDir: String = "/var/lib/vigil"

    @Option(help: "The shared cluster key file (at least 16 bytes; the same on every node).")
    var key: String = "/etc/vigil/cluster.key"

    @Option(help: "The UDP port of every adapter's socket.")
    var port: Int = UDPTransport.defaultPort

    @Option(
        help: """
            How service addresses are configured: ip (the real driver), or loopback-demo (the unprivileged local \
            demo's stand-in).
            """)
    var addressDriver: String = AddressDriverKind.ip.rawValue

    @Option(help: "The control socket that `vigil` talks to.")
    var socket: String = "/run/vigil/vigild.sock"

    @Flag(help: "Start cluster services at once (as `vigil start` does).")
    var start = false

    @Option(help: "A command run after the dead man switch released everything, e.g. \"reboot -f\" (default: none).")
    var haltCommand: String?

    @Option(
        help: ArgumentHelp(
            "The directory whose files named by the configuration (scripts) vigil sync carries to every node.",
            valueName: "dir"))
    var filesDir = "/etc/vigil"

    @Option(help: "A watchdog device to pet while the daemon runs (e.g. /dev/watchdog; default: none).")
    var watchdogDevice: String?

    @Option(help: "Serve the HTTP API on ADDR:PORT (e.g. 127.0.0.1:8643; default: off). Needs --http-token-file.")
    var httpListen: String?

    @Option(
        help: "The HTTP API's bearer token: the first line of this file, at least 16 characters (keep it root-only).")
    var httpTokenFile: String?

    @Option(
        help: ArgumentHelp(
            "journald's native socket: every log line goes to the journal too, when it exists (\"\": never).",
            valueName: "path"))
    var journalSocket = JournalSink.defaultSocketPath

    @Option(help: .hidden)
    var watchdogFor: Int32?

    @Option(help: .hidden)
    var tripMs: Int = 600

    /// `process-group` forces the fallback containment even where cgroups can be written (tests).
    @Option(help: .hidden)
    var containment: String = ApplicationContainment.Choice.automatic.rawValue

    /// Numbers in their ranges and commands that can be run, before anything starts: a port past
    /// 65535 would trap where the socket address is made.
    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be from 0 to 65535, not \(port)") }
        guard (1...86_400_000).contains(tripMs) else { throw ValidationError("--trip-ms must be from 1 to 86400000") }
        guard filesDir.hasPrefix("/"), filesDir.count > 1, !filesDir.split(separator: "/").contains("..") else {
            throw ValidationError("--files-dir must be an absolute directory other than /, not \(filesDir)")
        }
        if let haltCommand, let problem = NameRules.commandProblem(haltCommand) {
            throw ValidationError("--halt-command \(problem); give the command to run, e.g. \"reboot -f\"")
        }
        if let watchdogDevice, let problem = NameRules.absolutePathProblem(watchdogDevice) {
            throw ValidationError("--watchdog-device \(problem); give the device, e.g. /dev/watchdog")
        }
    }

    func run() async throws {
        if let daemon = watchdogFor {
            // The dead man switch's own process, started by the daemon (see WatchdogProcess).
            WatchdogProcess.supervise(
                daemon: daemon, stateDirectory: stateDir, trip: .milliseconds(tripMs),
                haltCommand: haltCommand.map { ["/bin/sh", "-c", $0] })
            return
        }
        // Read once, and removed from the environment that every command vigild runs inherits.
        let serviceManager = ServiceManagerNotifier.takeFromProcessEnvironment()
        guard let driver = AddressDriverKind(rawValue: addressDriver) else {
            throw ValidationError(
                "--address-driver: expected one of "
                    + "\(AddressDriverKind.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        guard let containment = ApplicationContainment.Choice(rawValue: containment) else {
            let choices = ApplicationContainment.Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--containment: expected one of \(choices)")
        }
        let given: String
        do {
            given = try String(contentsOfFile: config, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read \(config): \(error.localizedDescription)")
        }
        // The newest configuration `vigil sync` stored wins over a --config file that differs.
        let name = node ?? ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? ""
        let choice = ConfigStore.chooseAtStart(configPath: config, stateDirectory: stateDir, given: given, node: name)
        if let note = choice.note { FileHandle.standardError.write(Data("vigild: \(note)\n".utf8)) }
        let (read, problems) = ConfigLoader.load(yaml: choice.text, file: choice.path)
        guard let loaded = read else {
            throw ValidationError(problems.filter { $0.severity == .error }.map(\.description).joined(separator: "\n"))
        }
        let diagnostics = Verifier.verify(loaded)
        let errors = diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else {
            throw ValidationError(
                (errors.map(\.description) + [
                    "vigild: the configuration has \(errors.count) errors; run `vigil verify \(choice.path)`"
                ]).joined(separator: "\n"))
        }
        guard loaded.config.node(named: name) != nil || choice.version == 0 else {
            throw ValidationError(
                "configuration version \(choice.version) (\(choice.path), stored by `vigil sync`) does not name "
                    + "\(name): a reconfiguration removed it from cluster \(loaded.config.name); to add it back, "
                    + "sync a version that names it from a member and start vigild here with that file as --config")
        }
        if let watchdogDevice, loaded.config.tuning.hardwareWatchdog == nil {
            throw ValidationError(
                "--watchdog-device \(watchdogDevice) needs tuning.hardware_watchdog in \(choice.path) (e.g. 5s): "
                    + "the device's timeout is set from it, and every takeover waits for it")
        }
        guard loaded.config.node(named: name) != nil else {
            throw ValidationError(
                "node \(name) is not in cluster \(loaded.config.name) (nodes: "
                    + "\(loaded.config.nodes.map(\.name).joined(separator: ", "))); give --node"
            )
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "vigild.\(name)")
        var options = DaemonOptions(
            configPath: config, config: loaded.config, configVersion: choice.version, configNote: choice.note,
            configText: choice.text, node: name, stateDirectory: stateDir, keyPath: key, port: port,
            addressDriver: driver, socketPath: socket, startServices: start,
            haltCommand: haltCommand.map { ["/bin/sh", "-c", $0] }, watchdogDevice: watchdogDevice,
            containment: containment, filesDirectory: filesDir)
        options.serviceManager = serviceManager
        options.journalSocket = journalSocket.isEmpty ? nil : journalSocket
        let http = try httpSettings()
        let daemon = try NodeDaemon(options: options, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: daemon, successTerminationBehavior: .gracefullyShutdownGroup)
        ]
        if let http {
            services.append(
                .init(
                    service: HTTPAPI.application(
                        handler: daemon, host: http.host, port: http.port, token: http.token, logger: logger)))
        }
        var configuration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            cancellationSignals: [],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(60)
        try await ServiceGroup(configuration: configuration).run()
    }

    /// Where the HTTP API listens and its token, when asked for with --http-listen and
    /// --http-token-file; checked before the daemon is built.
    func httpSettings() throws -> (host: String, port: Int, token: String)? {
        guard let httpListen else {
            guard httpTokenFile == nil else { throw ValidationError("--http-token-file needs --http-listen") }
            return nil
        }
        guard let httpTokenFile else {
            throw ValidationError("--http-listen needs --http-token-file (the API refuses requests without the token)")
        }
        do {
            let (host, port) = try HTTPAPI.parseListen(httpListen)
            return (host, port, try HTTPAPI.readToken(fromFile: httpTokenFile))
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
