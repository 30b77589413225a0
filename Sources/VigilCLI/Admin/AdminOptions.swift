import ArgumentParser
import VigilRuntime

/// The options every command that talks to `vigild` takes: where its socket is, and `--json`.
struct AdminOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The daemon's control socket (default: $VIGIL_SOCKET, else \(AdminClient.standardSocketPath)).",
        valueName: "path"))
    var socket: String = AdminClient.defaultSocketPath

    @Flag(help: "Print each answer as one line of JSON.")
    var json = false
}
