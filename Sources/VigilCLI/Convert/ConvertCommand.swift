import ArgumentParser
import Foundation
import VigilConvert
import VigilModel

/// `vigil convert --from keepalived|pacemaker FILE...`: writes a Vigil configuration from another
/// cluster manager's (issue 14). The YAML goes to standard output (or `--output`); every note (what
/// was not converted, what was assumed, what must be added), then `vigil verify`'s findings on the
/// result, go to standard error. Exits 0 when the result verifies and needs nothing added, 1 when
/// the administrator must add something (the notes and findings say what), 2 when an input cannot
/// be read.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a keepalived or Pacemaker configuration, or an older Vigil one, to Vigil's.",
        discussion: """
            vigil (the default): a Vigil configuration of any format this vigil reads, rewritten in \
            the current format (`format: \(ConfigFormat.current)`); comments and key order are not kept. \
            keepalived: give the keepalived.conf of every node (each file is one node). Pacemaker: give \
            the CIB (cibadmin --query). Notes go to standard error as FILE:LINE: lines, then what vigil \
            verify finds in the result. Exits 0 when the result verifies, 1 when something must be \
            added, 2 when an input cannot be read.
            """
    )

    /// The configuration formats `convert` reads.
    enum Source: String, ExpressibleByArgument, CaseIterable {
        case vigil, keepalived, pacemaker
    }

    @Option(help: "The format of the input: vigil (an older Vigil format), keepalived or pacemaker.")
    var from: Source = .vigil

    @Argument(help: "keepalived: one keepalived.conf per node; pacemaker: the CIB XML.")
    var files: [String]

    @Option(name: .shortAndLong, help: "Write the configuration to this file instead of standard output.")
    var output: String?

    @Option(name: .customLong("node"), help: "keepalived: the node name of each file, in order (repeat).")
    var nodeNames: [String] = []

    @Option(name: .customLong("address"), help: "A node's address, NODE=IPV4 (repeat); adds the node if new.")
    var addresses: [String] = []

    @Option(help: "A shared block device for a disk heartbeat (and the tiebreaker of two nodes).")
    var diskHeartbeat: String?

    @Option(help: "The cluster's name.")
    var clusterName: String?

    @Option(help: "The cluster's id (1 to 2147483647).")
    var clusterId: Int?

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one file to convert") }
        if from == .pacemaker && files.count != 1 { throw ValidationError("give one CIB file") }
        if from == .vigil && files.count != 1 { throw ValidationError("give one Vigil configuration file") }
        _ = try parsedAddresses()
    }

    func parsedAddresses() throws -> [(node: String, address: IPv4Address)] {
        try addresses.map { text in
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let address = IPv4Address(parts[1]) else {
                throw ValidationError("--address \(text): write NODE=IPV4, e.g. --address beta=192.0.2.12")
            }
            return (parts[0], address)
        }
    }

    /// What `run` prints and its exit status: the YAML (nil when nothing was converted), the lines
    /// for standard error, and 0, 1 or 2.
    struct Outcome {
        var yaml: String?
        var messages: [String]
        var status: Int32
    }

    /// Converts `files` read with `read`, and verifies the result.
    func outcome(read: (String) throws -> String) -> Outcome {
        var inputs: [ConversionInput] = []
        for file in files {
            do {
                inputs.append(ConversionInput(file: file, text: try read(file)))
            } catch {
                return Outcome(yaml: nil, messages: ["\(file): cannot read: \(error.localizedDescription)"], status: 2)
            }
        }
        let addresses: [(node: String, address: IPv4Address)]
        do {
            addresses = try parsedAddresses()
        } catch {
            return Outcome(yaml: nil, messages: ["\(error)"], status: 2)
        }
        let options = ConversionOptions(
            clusterName: clusterName, clusterID: clusterId, nodeNames: nodeNames, addresses: addresses,
            diskHeartbeat: diskHeartbeat)
        let result: ConversionResult
        do {
            switch from {
            case .vigil: return rewritten(inputs[0])
            case .keepalived: result = try KeepalivedMapping.convert(inputs, options: options)
            case .pacemaker: result = try PacemakerMapping.convert(inputs[0], options: options)
            }
        } catch {
            return Outcome(yaml: nil, messages: ["\(error)", "convert: nothing converted"], status: 2)
        }
        let yaml = result.yaml(from: files)
        let report = VerifyReport(yaml: yaml, file: output ?? "converted.yaml")
        let mustAdd = result.notes.filter { $0.kind == .mustAdd }.count
        var messages = result.notes.map(\.description) + report.textLines()
        let failed = report.errorCount > 0 || mustAdd > 0
        messages.append(
            "convert: \(result.notes.count) notes, \(mustAdd) of them things to add; "
                + (failed ? "add what they and verify say, then run vigil verify again" : "the configuration verifies"))
        return Outcome(yaml: yaml, messages: messages, status: failed ? 1 : 0)
    }

    /// A Vigil configuration of a readable format, written in the current one.
    func rewritten(_ input: ConversionInput) -> Outcome {
        let (loaded, problems) = ConfigLoader.load(yaml: input.text, file: input.file)
        guard let loaded else {
            return Outcome(
                yaml: nil, messages: problems.map(\.description) + ["convert: \(input.file) cannot be read"], status: 2)
        }
        var config = loaded.config
        let notes = ConfigFormat.upgrade(&config, from: loaded.format)
        let yaml = ConfigWriter.yaml(
            config, header: ["Written by vigil convert from \(input.file) (format \(loaded.format))."])
        let report = VerifyReport(yaml: yaml, file: output ?? "converted.yaml")
        var messages = notes.map { "\(input.file): \($0)" }
        messages.append("\(input.file): comments and the order of keys are not kept")
        messages += report.textLines()
        let failed = report.errorCount > 0
        messages.append(
            "convert: format \(loaded.format) -> \(ConfigFormat.current); "
                + (failed ? "fix what verify says, then run vigil verify again" : "the configuration verifies"))
        return Outcome(yaml: yaml, messages: messages, status: failed ? 1 : 0)
    }

    func run() throws {
        let outcome = outcome { try String(contentsOfFile: $0, encoding: .utf8) }
        if let yaml = outcome.yaml {
            if let output {
                do {
                    try yaml.write(toFile: output, atomically: true, encoding: .utf8)
                } catch {
                    FileHandle.standardError.write(
                        Data("\(output): cannot write: \(error.localizedDescription)\n".utf8))
                    throw ExitCode(2)
                }
            } else {
                print(yaml, terminator: "")
            }
        }
        FileHandle.standardError.write(Data(outcome.messages.map { $0 + "\n" }.joined().utf8))
        if outcome.status != 0 { throw ExitCode(outcome.status) }
    }
}
