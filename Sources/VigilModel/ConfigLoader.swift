import Yams

/// Reads a cluster configuration from YAML text. Placeholder: the real loader records every field's
/// location and reports every problem as a `Diagnostic`.
public enum ConfigLoader {}
