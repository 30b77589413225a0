import VigilCore
import VigilModel

/// One event `vigil emulate` can play against a copy of the cluster, in the words of the seed's
/// event names: `node_down ghost3`, `stop ghost2 --takeover`, `fail_interface ghost1 en0`,
/// `network_down ether ghost1`, `partition ether ghost1,ghost2/ghost3,ghost4`, `move SH2 ghost4`,
/// `offline IP4`, `sync new.yaml`. Each is carried out as the test plans' action of the same
/// meaning (`PlanAction`), so that emulation and plans drive the simulator the same way.
public struct EmulatedEvent: Sendable, Equatable, CustomStringConvertible {
    /// The words it was written with, for the report.
    public var description: String
    /// What the simulator does.
    public var action: PlanAction

    public init(description: String, action: PlanAction) {
        self.description = description
        self.action = action
    }

    /// The events `parse` reads, one line each, for `--help` and error messages.
    public static let forms = [
        "node_down NODE", "node_up NODE", "stop NODE --graceful|--takeover|--forced",
        "fail_interface NODE DEVICE", "repair_interface NODE DEVICE", "network_down NETWORK [NODE]",
        "network_up NETWORK [NODE]", "partition NETWORK A,B/C,D", "move GROUP NODE", "online GROUP",
        "offline GROUP [--sticky]", "sync FILE",
    ]

    /// Reads one event from its words, checking every name against `config`; the error says what
    /// is wrong in one line.
    public static func parse(_ words: [String], config: ClusterConfig) -> Result<EmulatedEvent, EmulationError> {
        guard let verb = words.first else {
            return .failure(EmulationError("no event given; one of: \(forms.joined(separator: "; "))"))
        }
        let arguments = Array(words.dropFirst())
        let flags = Set(arguments.filter { $0.hasPrefix("--") })
        let plain = arguments.filter { !$0.hasPrefix("--") }
        let text = words.joined(separator: " ")
        func count(_ expected: ClosedRange<Int>, _ form: String) -> EmulationError? {
            expected.contains(plain.count) ? nil : EmulationError("'\(text)': expected \(form)")
        }
        func node(_ name: String) -> EmulationError? {
            config.node(named: name) == nil
                ? EmulationError("'\(text)': no node \(name) in cluster \(config.name) (\(nodeNames(config)))") : nil
        }
        func network(_ name: String) -> EmulationError? {
            config.network(named: name) == nil
                ? EmulationError(
                    "'\(text)': no network \(name) (\(config.networks.map(\.name).joined(separator: ", ")))") : nil
        }
        func group(_ name: String) -> EmulationError? {
            config.group(named: name) == nil
                ? EmulationError(
                    "'\(text)': no resource group \(name) (\(groupNames(config)))"
                )
                : nil
        }
        func unexpected(_ allowed: Set<String>) -> EmulationError? {
            let extra = flags.subtracting(allowed)
            return extra.isEmpty
                ? nil : EmulationError("'\(text)': unexpected \(extra.sorted().joined(separator: " "))")
        }
        func event(_ action: PlanAction, _ problems: EmulationError?...) -> Result<EmulatedEvent, EmulationError> {
            if let problem = problems.compactMap({ $0 }).first { return .failure(problem) }
            return .success(EmulatedEvent(description: text, action: action))
        }
        switch verb {
        case "node_down", "crash":
            if let problem = count(1...1, "node_down NODE") ?? unexpected([]) { return .failure(problem) }
            return event(.crash([plain[0]]), node(plain[0]))
        case "node_up", "start":
            if let problem = count(1...1, "node_up NODE") ?? unexpected([]) { return .failure(problem) }
            return event(.start([plain[0]]), node(plain[0]))
        case "stop":
            let modes = ["--graceful": "graceful", "--takeover": "takeover", "--forced": "forced"]
            let chosen = flags.compactMap { modes[$0] }
            if let problem = count(1...1, "stop NODE --graceful|--takeover|--forced") ?? unexpected(Set(modes.keys)) {
                return .failure(problem)
            }
            guard chosen.count == 1 else {
                return .failure(EmulationError("'\(text)': say how it stops: --graceful, --takeover or --forced"))
            }
            return event(.stop([plain[0]], mode: chosen[0]), node(plain[0]))
        case "fail_interface", "repair_interface":
            if let problem = count(2...2, "\(verb) NODE DEVICE") ?? unexpected([]) { return .failure(problem) }
            if let problem = node(plain[0]) { return .failure(problem) }
            let interfaces = config.node(named: plain[0])!.interfaces.map(\.name)
            guard interfaces.contains(plain[1]) else {
                return .failure(
                    EmulationError(
                        "'\(text)': \(plain[0]) has no interface \(plain[1]) (\(interfaces.joined(separator: ", ")))"))
            }
            return event(
                verb == "fail_interface"
                    ? .failInterface(node: plain[0], interface: plain[1])
                    : .repairInterface(node: plain[0], interface: plain[1]))
        case "network_down", "network_up":
            if let problem = count(1...2, "\(verb) NETWORK [NODE]") ?? unexpected([]) { return .failure(problem) }
            let on = plain.count == 2 ? plain[1] : nil
            let action: PlanAction =
                verb == "network_down"
                ? .failNetwork(network: plain[0], node: on) : .repairNetwork(network: plain[0], node: on)
            return event(action, network(plain[0]), on.flatMap(node))
        case "partition":
            if let problem = count(2...2, "partition NETWORK A,B/C,D") ?? unexpected([]) { return .failure(problem) }
            let sides = plain[1].split(separator: "/").map { $0.split(separator: ",").map(String.init) }
            guard sides.count >= 2, sides.allSatisfy({ !$0.isEmpty }) else {
                return .failure(EmulationError("'\(text)': sides are written A,B/C,D"))
            }
            let named = sides.flatMap { $0 }
            guard Set(named).count == named.count else {
                return .failure(EmulationError("'\(text)': a node is on two sides"))
            }
            return event(
                .partition(network: plain[0], sides: sides), [network(plain[0])].compactMap { $0 }.first,
                named.compactMap(node).first)
        case "move":
            if let problem = count(2...2, "move GROUP NODE") ?? unexpected([]) { return .failure(problem) }
            return event(.move(group: plain[0], node: plain[1]), group(plain[0]), node(plain[1]))
        case "online":
            if let problem = count(1...1, "online GROUP") ?? unexpected([]) { return .failure(problem) }
            return event(.online(group: plain[0]), group(plain[0]))
        case "offline":
            if let problem = count(1...1, "offline GROUP [--sticky]") ?? unexpected(["--sticky"]) {
                return .failure(problem)
            }
            return event(.offline(group: plain[0], sticky: flags.contains("--sticky")), group(plain[0]))
        case "sync":
            if let problem = count(1...1, "sync FILE") ?? unexpected([]) { return .failure(problem) }
            return event(.sync(file: plain[0]))
        default:
            return .failure(
                EmulationError("unknown event '\(verb)'; one of: \(forms.joined(separator: "; "))"))
        }
    }

    /// Reads a sequence: events separated by `--then`.
    public static func parseSequence(_ words: [String], config: ClusterConfig) -> Result<
        [EmulatedEvent], EmulationError
    > {
        var events: [EmulatedEvent] = []
        for part in words.split(separator: "--then", omittingEmptySubsequences: false) {
            switch parse(Array(part), config: config) {
            case .success(let event): events.append(event)
            case .failure(let error): return .failure(error)
            }
        }
        return .success(events)
    }

    private static func groupNames(_ config: ClusterConfig) -> String {
        config.resourceGroups.map(\.name).joined(separator: ", ")
    }

    private static func nodeNames(_ config: ClusterConfig) -> String {
        config.nodes.map(\.name).joined(separator: ", ")
    }
}

/// Why an emulation could not be run, in one line.
public struct EmulationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
