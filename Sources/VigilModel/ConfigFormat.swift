/// The version of the configuration file's format (`format: 1` at the top of the file), so that a
/// file written for a later Vigil is refused with a clear message instead of half-read, and a file
/// of an earlier format can be rewritten (`vigil convert FILE`).
///
/// Format 1 is the format of `docs/configuration.md`. Files written before the key existed have no
/// `format` key and are format 1: the key is optional, and its absence will always mean 1.
public enum ConfigFormat {
    /// The format this Vigil writes.
    public static let current = 1
    /// The formats this Vigil reads: the oldest it can still read (and convert) up to `current`.
    public static let readable = 1...current
    /// The format of a file without a `format` key.
    public static let unversioned = 1

    /// Rewrites a configuration read from a file of format `format` as the current format. Each
    /// later format adds one step here (what was renamed or moved, and what a default became);
    /// format 1 is the first, so there is none yet. Returns the notes the conversion makes.
    public static func upgrade(_ config: inout ClusterConfig, from format: Int) -> [String] {
        var notes: [String] = []
        if format < current {
            notes.append("format \(format) rewritten as format \(current)")
        }
        return notes
    }
}
