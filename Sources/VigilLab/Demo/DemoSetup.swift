import Foundation
import VigilModel

/// Everything the demo needs to know before it starts a process: the binaries, the configuration
/// the daemons will read, and what it names (nodes, the disk heartbeat file, SH2's service).
struct DemoSetup {
    var vigil: String
    var vigild: String
    var stateDirectory: String
    /// The configuration file given to the daemons (absolute).
    var configPath: String
    /// Its text, written to `configPath` by `writeConfig()` when it is a rewritten copy.
    var rewrittenConfig: String?
    var nodes: [String]
    var diskFile: String
    /// SH2's service: its service address and the port of its application.
    var service: DemoEndpoint

    /// The group the demo crashes and follows, its home node and its takeover node.
    static let group = "SH2"
    static let home = "ghost3"
    static let takeover = "ghost4"
    /// The port SH2's application listens on (see examples/scream-local.yaml).
    static let servicePort: UInt16 = 7002

    static func resolve(configPath: String, stateDirectory: String) throws -> DemoSetup {
        let vigil = try ownExecutable()
        let vigild = try daemonExecutable(besides: vigil)
        let path = try findConfig(configPath, vigil: vigil)
        var text = try String(contentsOfFile: path, encoding: .utf8)
        var rewritten: String?
        var daemonConfig = path
        if stateDirectory != DemoCommand.defaultStateDirectory {
            text = text.replacingOccurrences(of: DemoCommand.defaultStateDirectory + "/", with: stateDirectory + "/")
            rewritten = text
            daemonConfig = stateDirectory + "/scream-local.yaml"
        }
        let (loaded, diagnostics) = ConfigLoader.load(yaml: text, file: path)
        guard let config = loaded?.config else {
            throw DemoCommandFailure(
                "\(path) does not load:\n" + diagnostics.map(\.description).joined(separator: "\n"))
        }
        return try DemoSetup(
            vigil: vigil, vigild: vigild, stateDirectory: stateDirectory, configPath: daemonConfig,
            rewrittenConfig: rewritten, config: config, file: path)
    }

    private init(
        vigil: String, vigild: String, stateDirectory: String, configPath: String, rewrittenConfig: String?,
        config: ClusterConfig, file: String
    ) throws {
        let diskDevices = config.networks.compactMap { network -> String? in
            if case .disk(let device) = network.kind { return device } else { return nil }
        }
        guard let diskFile = diskDevices.first, diskFile.hasPrefix(stateDirectory + "/") else {
            throw DemoCommandFailure("\(file) has no disk heartbeat network on a file under \(stateDirectory)")
        }
        guard let group = config.resourceGroups.first(where: { $0.name == Self.group }),
            group.nodes.starts(with: [Self.home, Self.takeover]),
            let label = group.serviceAddresses.first,
            let address = config.serviceAddresses.first(where: { $0.label == label })?.address
        else {
            throw DemoCommandFailure(
                "\(file) has no group \(Self.group) on \(Self.home) then \(Self.takeover) with a service address")
        }
        self.vigil = vigil
        self.vigild = vigild
        self.stateDirectory = stateDirectory
        self.configPath = configPath
        self.rewrittenConfig = rewrittenConfig
        self.nodes = config.nodes.map(\.name)
        self.diskFile = diskFile
        self.service = DemoEndpoint(address: address, port: Self.servicePort)
    }

    /// Writes the rewritten configuration, when there is one (after the directory is prepared).
    func writeConfig() throws {
        guard let rewrittenConfig else { return }
        try Data(rewrittenConfig.utf8).write(to: URL(fileURLWithPath: configPath), options: .atomic)
    }

    /// This `vigil` binary, from /proc/self/exe.
    static func ownExecutable() throws -> String {
        let path = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        guard path != "/proc/self/exe", FileManager.default.isExecutableFile(atPath: path) else {
            throw DemoCommandFailure("cannot tell where this vigil binary is (/proc/self/exe)")
        }
        return path
    }

    /// `$VIGILD`, or `vigild` in the same directory as `vigil`.
    static func daemonExecutable(besides vigil: String) throws -> String {
        if let given = ProcessInfo.processInfo.environment["VIGILD"], !given.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: given) else {
                throw DemoCommandFailure("VIGILD=\(given) is not an executable file")
            }
            return given
        }
        let path = URL(fileURLWithPath: vigil).deletingLastPathComponent().appendingPathComponent("vigild").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw DemoCommandFailure(
                """
                no vigild next to vigil (\(path)); build it with `scripts/build-release` \
                (scripts/demo does), or set VIGILD to its path
                """)
        }
        return path
    }

    /// The configuration as given, relative to the working directory or, failing that, to the
    /// checkout the binary was built in (the nearest directory above the binary that has it:
    /// `.build/x86_64-unknown-linux-gnu/release/vigil` is four levels below the checkout).
    static func findConfig(_ given: String, vigil: String) throws -> String {
        let files = FileManager.default
        let here = URL(fileURLWithPath: given, relativeTo: URL(fileURLWithPath: files.currentDirectoryPath))
            .standardized.path
        if files.fileExists(atPath: here) { return here }
        if !given.hasPrefix("/") {
            var directory = URL(fileURLWithPath: vigil).resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<5 {
                directory = directory.deletingLastPathComponent()
                let there = directory.appendingPathComponent(given).standardized.path
                if files.fileExists(atPath: there) { return there }
            }
        }
        throw DemoCommandFailure("no configuration at \(here); run from the checkout or give --config")
    }
}
