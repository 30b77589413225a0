import ArgumentParser
import VigilRuntime

/// The options every command that talks to `vigild` takes: where its socket is, and `--json`.
struct AdminOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The daemon's control socket (default: $VIGIL_SOCKET, else \(AdminClient.standardSocketPath)).",
            valueName: "path"))
    var socket: String?

    /// The socket to use: `--socket`, else `$VIGIL_SOCKET`, else the standard path.
    var socketPath: String { socket ?? AdminClient.defaultSocketPath }

    @Option(help: "How long to wait for vigild's answer, with its unit.")
    var timeout: DurationArgument = DurationArgument(.seconds(60))

    @Flag(help: "Print each answer as one line of JSON.")
    var json = false
}

extension AdminOptions {
    /// The same socket and timeout, answers not printed as JSON: for commands that ask the daemon
    /// for something they then print themselves.
    var quiet: AdminOptions {
        var options = self
        options.json = false
        return options
    }
}
