import VigilCore

/// The answer to `vigil emulate` and `vigil explain` (`AdminCommand.agreedState`): the agreed
/// state this node installed, exactly as the core holds it, with the configuration it runs, so
/// that the command line can run the real core from it in the simulator without touching the
/// cluster.
public struct AgreedStateAnswer: Sendable, Hashable, Codable {
    /// The node that answered.
    public var node: String
    /// Whether cluster services run on it.
    public var running: Bool
    /// The configuration version it runs and that version's text (`nil` when the text is not kept).
    public var configVersion: UInt64
    public var configText: String?
    /// The agreed state it installed; `nil` when it is in no view.
    public var state: ClusterState?

    public init(node: String, running: Bool, configVersion: UInt64, configText: String?, state: ClusterState?) {
        self.node = node
        self.running = running
        self.configVersion = configVersion
        self.configText = configText
        self.state = state
    }
}
