import VigilCore

/// The answer to `vigil sync --preview`: the reconfiguration preview from the live cluster's
/// state, and what `vigil verify` finds in the new configuration. Nothing was changed.
public struct SyncPreview: Sendable, Hashable, Codable {
    /// Where the previewed text came from (the file the administrator named, or the daemon's
    /// `--config` file).
    public var source: String
    /// The preview; `nil` when the text could not be read as a configuration at all.
    public var preview: ReconfigurationPreview?
    /// What `verify` found, each `FILE:LINE: severity: message`.
    public var findings: [String]
    public var errors: Int
    public var warnings: Int
    /// Why `vigil sync` of this text would be refused now, if it would.
    public var refusal: String?
    /// The files a sync would carry to every node (`path sha256:HEX`).
    public var carried: [String]

    public init(
        source: String, preview: ReconfigurationPreview?, findings: [String], errors: Int, warnings: Int,
        refusal: String?, carried: [String] = []
    ) {
        self.carried = carried
        self.source = source
        self.preview = preview
        self.findings = findings
        self.errors = errors
        self.warnings = warnings
        self.refusal = refusal
    }
}
