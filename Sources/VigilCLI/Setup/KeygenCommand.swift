import ArgumentParser
import Foundation
import VigilRuntime

/// `vigil keygen`: writes a new cluster key (and the HTTP API's token) readable by root only.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write a new cluster key and HTTP API token, readable by root only.",
        discussion: """
            The cluster key authenticates every packet between the nodes: every node needs the same file. \
            keygen writes 32 random bytes as hex with mode 0600 (created that way, never readable by others), \
            and the same for the HTTP API's bearer token (vigild --http-token-file). An existing file is kept \
            unless --force is given: a new key splits the cluster until every node has it.
            """)

    @Option(help: ArgumentHelp("The cluster key file to write.", valueName: "path"))
    var key = "/etc/vigil/cluster.key"

    @Option(help: ArgumentHelp("The HTTP API token file to write.", valueName: "path"))
    var httpToken = "/etc/vigil/http.token"

    @Flag(help: "Write no HTTP API token.")
    var noHTTPToken = false

    @Flag(help: "Replace files that exist (every node must then get the new key).")
    var force = false

    func run() throws {
        var written: [String] = []
        let files = [(key, "cluster key")] + (noHTTPToken ? [] : [(httpToken, "HTTP API token")])
        for (path, what) in files {
            do {
                try AtomicFile.write(AtomicFile.randomHex(bytes: 32) + "\n", to: path, replacing: force)
            } catch {
                let kept = written.isEmpty ? "" : " (\(written.joined(separator: ", ")) written)"
                throw SetupError(
                    "keygen: \(error.description)\(kept); a new \(what) must reach every node: copy the one there is, "
                        + "or give --force to replace it")
            }
            written.append(path)
            print("keygen: wrote \(path) (\(what), 32 random bytes as hex, mode 0600\(Self.ownerNote))")
        }
        print("next: copy \(written.joined(separator: " and ")) to every node, at the same path and mode, e.g.")
        for path in written { print("  scp -p \(path) NODE:\(path)") }
    }

    /// `, owner root` when run as root; a note otherwise (vigild runs as root and reads it then too).
    static var ownerNote: String { geteuid() == 0 ? ", owner root" : ", owner uid \(geteuid()): not root" }
}
