import ArgumentParser
import Foundation
import VigilCore
import VigilModel
import VigilRuntime
import VigilSimulation

/// `vigil emulate EVENT [--then EVENT ...]`: what the cluster would do, without touching it. The
/// live cluster's agreed state is asked of the local `vigild` (or a configuration's steady state
/// is taken, `--config`), a copy of the cluster is started from it in the simulator with the real
/// core, the events are played on the copy, and the report says what happened there.
struct EmulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulate",
        abstract: "Show what the cluster would do after an event, changing nothing.",
        discussion: """
            Asks the local vigild for the agreed state (members, where every group is, sticky moves, \
            groups held offline, failed adapters, the configuration it runs), starts a copy of the \
            cluster from it in the simulator with the same core that decides on the real nodes, plays \
            the events there, and prints the agreed events in order, every group's FROM -> TO with the \
            rule and the nodes passed over, the hooks and actions each node would run (none is run), \
            and how long each moved group would be without service. The last line is \
            `emulate: N groups move, M stay; nothing was changed`.

            Events: \(EmulatedEvent.forms.joined(separator: "; ")). \
            Several in a row: separate them with --then, e.g. \
            `vigil emulate node_down ghost3 --then node_up ghost3`.

            --config FILE emulates offline, from the steady state of that configuration (every node \
            started); --snapshot NAME from the configuration a snapshot kept. Exit status: 0 done, 1 the \
            event or the state could not be emulated (one line says why), 2 vigild is not running.
            """)

    @Option(help: ArgumentHelp("Emulate from this configuration's steady state, offline.", valueName: "file"))
    var config: String?

    @Option(
        help: ArgumentHelp("Emulate from the steady state of the configuration a snapshot kept.", valueName: "name"))
    var snapshot: String?

    @Flag(help: "Print the transitions as a Graphviz digraph instead.")
    var dot = false

    @OptionGroup var options: AdminOptions

    @Argument(
        parsing: .allUnrecognized,
        help: ArgumentHelp("The event and its arguments; several separated by --then.", valueName: "event"),
        completion: LocalClusterNames.eventWords)
    var event: [String] = []

    func validate() throws {
        if config != nil && snapshot != nil { throw ValidationError("give --config or --snapshot, not both.") }
        if event.isEmpty {
            throw ValidationError("say which event to emulate: \(EmulatedEvent.forms.joined(separator: "; "))")
        }
    }

    func run() async throws {
        let status = await execute(print: printFlushed, printError: printToStandardError)
        if status != 0 { throw ExitCode(status) }
    }

    /// Runs the command; returns the exit status.
    func execute(print: (String) -> Void, printError: (String) -> Void) async -> Int32 {
        let start: Start
        switch await startingPoint() {
        case .success(let found): start = found
        case .failure(let failure):
            printError("vigil: emulate: \(failure.message)")
            return failure.status
        }
        let events: [EmulatedEvent]
        switch EmulatedEvent.parseSequence(event, config: start.config) {
        case .success(let parsed): events = parsed
        case .failure(let error):
            printError("vigil: emulate: \(error)")
            return 1
        }
        // A configuration to sync is read and verified now: one line and exit 1, not a note.
        for case .sync(let file) in events.map(\.action) {
            do { _ = try ConfigLoader.load(contentsOf: file) } catch {
                printError("vigil: emulate: sync \(file): \(error)")
                return 1
            }
        }
        let emulation = Emulation(config: start.config, live: start.state, origin: start.origin)
        if let problem = emulation.prepare() {
            printError("vigil: emulate: \(problem)")
            return 1
        }
        let report = emulation.play(events)
        if options.json {
            print(AdminExchange.json(report))
        } else if dot {
            print(report.dot)
        } else {
            report.lines.forEach(print)
        }
        return 0
    }

    /// What the copy starts from: a configuration and, for the live cluster, its agreed state.
    struct Start {
        var config: ClusterConfig
        var state: ClusterState?
        var origin: String
    }

    struct Failure: Error {
        var message: String
        var status: Int32 = 1
    }

    private func startingPoint() async -> Result<Start, Failure> {
        if let config {
            do {
                let loaded = try ConfigLoader.load(contentsOf: config)
                return .success(Start(config: loaded.config, origin: "the steady state of \(config)"))
            } catch {
                return .failure(Failure(message: "\(error)"))
            }
        }
        let client = AdminClient(socketPath: options.socketPath, answerTimeout: options.timeout.duration)
        do {
            if let snapshot {
                guard case .ok(.snapshot(_, let text)) = try await client.send(.snapshotText(name: snapshot)) else {
                    return .failure(Failure(message: "vigild has no snapshot \(snapshot) (`vigil snapshot list`)"))
                }
                let file: SnapshotFile
                do { file = try SnapshotFile(parsing: text, file: "snapshot \(snapshot)") } catch {
                    return .failure(Failure(message: "\(error)"))
                }
                return load(file.configuration, file: "snapshot \(snapshot)").map {
                    Start(config: $0, origin: "the steady state of snapshot \(snapshot)")
                }
            }
            let response = try await client.send(.agreedState)
            guard case .ok(.agreed(let answer)) = response else {
                if case .refused(let reason) = response { return .failure(Failure(message: reason)) }
                return .failure(Failure(message: "vigild did not answer with its agreed state: \(response)"))
            }
            guard let state = answer.state, answer.running else {
                return .failure(
                    Failure(
                        message:
                            "\(answer.node) is in no view: start cluster services first, or emulate offline with "
                            + "--config FILE"))
            }
            guard let text = answer.configText else {
                return .failure(
                    Failure(message: "\(answer.node) does not keep the text of configuration \(answer.configVersion)"))
            }
            return load(text, file: "configuration version \(answer.configVersion)").map {
                Start(
                    config: $0, state: state,
                    origin: "the live state of view \(state.epoch) (asked \(answer.node), configuration version "
                        + "\(answer.configVersion))")
            }
        } catch let error as AdminClientError {
            return .failure(Failure(message: "\(error)", status: AdminExchange.unreachable))
        } catch {
            return .failure(Failure(message: "\(error)"))
        }
    }

    private func load(_ text: String, file: String) -> Result<ClusterConfig, Failure> {
        let (loaded, diagnostics) = ConfigLoader.load(yaml: text, file: file)
        guard let loaded else {
            return .failure(Failure(message: diagnostics.map(\.description).joined(separator: "; ")))
        }
        return .success(loaded.config)
    }
}
