import VigilModel

/// One input file: its name (as printed in notes) and its text. The converters do no I/O: the
/// caller reads the files.
public struct ConversionInput: Sendable, Equatable {
    public var file: String
    public var text: String

    public init(file: String, text: String) {
        self.file = file
        self.text = text
    }
}

/// What the administrator tells a converter that the input files do not say.
public struct ConversionOptions: Sendable, Equatable {
    /// The cluster's name; nil: from the input (Pacemaker's `cluster-name`) or the converter's default.
    public var clusterName: String?
    /// The cluster's id; nil: 1, with a note.
    public var clusterID: Int?
    /// keepalived: the node name of each input file, in order; nil entries (or missing ones) come
    /// from `router_id` or the file's name.
    public var nodeNames: [String]
    /// Boot addresses of nodes (`--address NODE=IP`), each put on the network whose subnet holds it
    /// (the first IP network when none does). A node not otherwise known is added, with the same
    /// adapters as the first node (keepalived: the other node of a pair given one file).
    public var addresses: [(node: String, address: IPv4Address)]
    /// A shared block device for a disk heartbeat (`--disk-heartbeat DEVICE`): a network `dhb` of
    /// type disk on every node, and the quorum tiebreaker when there are two nodes.
    public var diskHeartbeat: String?

    public init(
        clusterName: String? = nil, clusterID: Int? = nil, nodeNames: [String] = [],
        addresses: [(node: String, address: IPv4Address)] = [], diskHeartbeat: String? = nil
    ) {
        self.clusterName = clusterName
        self.clusterID = clusterID
        self.nodeNames = nodeNames
        self.addresses = addresses
        self.diskHeartbeat = diskHeartbeat
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.clusterName == rhs.clusterName && lhs.clusterID == rhs.clusterID && lhs.nodeNames == rhs.nodeNames
            && lhs.addresses.map(\.node) == rhs.addresses.map(\.node)
            && lhs.addresses.map(\.address) == rhs.addresses.map(\.address) && lhs.diskHeartbeat == rhs.diskHeartbeat
    }
}

/// A converted configuration: the `ClusterConfig`, its YAML text (written by `ConfigWriter`), and
/// every note about what was not converted, what was assumed and what must be added.
public struct ConversionResult: Sendable {
    public var config: ClusterConfig
    public var notes: [ConversionNote]

    /// `notes` are kept in file order: by line, those about a file as a whole after its lines.
    public init(config: ClusterConfig, notes: [ConversionNote]) {
        self.config = config
        var files: [String] = []
        for note in notes where !files.contains(note.file) { files.append(note.file) }
        self.notes = notes.enumerated().sorted { lhs, rhs in
            let (a, b) = (lhs.element, rhs.element)
            let key = { (note: ConversionNote) in
                (files.firstIndex(of: note.file) ?? 0, note.line == 0 ? Int.max : note.line)
            }
            return key(a) != key(b) ? key(a) < key(b) : lhs.offset < rhs.offset
        }.map(\.element)
    }

    /// The configuration in Vigil's format, headed by a comment saying where it came from.
    public func yaml(from sources: [String]) -> String {
        let header = [
            "Converted by vigil convert from \(sources.joined(separator: ", ")).",
            "Check it with: vigil verify FILE. What was not converted, assumed or must be added was",
            "printed as notes (FILE:LINE: ...) when it was converted.",
        ]
        return ConfigWriter.yaml(config, header: header)
    }

    /// Whether a note says the administrator must add something.
    public var needsAdditions: Bool { notes.contains { $0.kind == .mustAdd } }
}
