import ArgumentParser

/// `vigil verify FILE`: placeholder until the verifier lands.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Check a configuration.")
    @Argument var file: String
    func run() throws {}
}
