import VigilModel

/// A Pacemaker CIB to Vigil (issue 14):
///
/// - `<nodes>` are the nodes (their addresses are in corosync.conf, not the CIB: `--address`);
/// - a `<group>` is a resource group, a primitive outside any group a group of its own, a simple
///   `<clone>` (of one primitive or group, not promotable nor globally unique) a concurrent group;
/// - `IPaddr2` is a service address (its `nic` the network), `Filesystem` a filesystem,
///   `LVM-activate` a volume group (shared: concurrent), `exportfs` an NFS export; `systemd:`,
///   `service:`, `lsb:` and other `ocf:` primitives are applications with their operations' timings;
///   a `stonith` primitive of a `fence_*` agent is the fence command of the nodes it fences;
/// - location preferences (without rules) order a group's nodes, `-INFINITY` leaves a node out;
///   a mandatory colocation merges two groups; `resource-stickiness` at least the highest
///   preference makes a group `rotating` (it stays where it is), otherwise it is `cascading`;
///   `migration-threshold` N is N - 1 restarts before the group moves.
///
/// Everything else is reported with its line.
public enum PacemakerMapping {
    public static func convert(
        _ input: ConversionInput, options: ConversionOptions = ConversionOptions()
    ) throws(ConversionError) -> ConversionResult {
        let root = try XMLReader.parse(input.text, file: input.file)
        guard root.name == "cib" else {
            throw ConversionError(file: input.file, line: root.line, "the root element is <\(root.name)>, not <cib>")
        }
        guard let configuration = root.child("configuration") else {
            throw ConversionError(file: input.file, line: root.line, "the CIB has no <configuration>")
        }
        var builder = PacemakerBuilder(file: input.file, options: options)
        builder.build(configuration)
        var config = builder.config
        var notes = builder.notes
        ConversionAdditions.apply(options, defaultName: "pacemaker", file: input.file, to: &config, notes: &notes)
        return ConversionResult(config: config, notes: notes)
    }
}

/// A Vigil resource group in the making: the CIB elements whose resources it holds.
struct PacemakerUnit {
    var name: String
    var line: Int
    /// Every resource id that names this unit in constraints (group, clone and primitive ids).
    var ids: Set<String>
    var primitives: [XMLElement]
    var meta: [String: String]
    var concurrent: Bool
    /// Location scores by node.
    var scores: [String: Int] = [:]
    var mergedInto: Int?
}

struct PacemakerBuilder {
    let file: String
    let options: ConversionOptions
    var config = ClusterConfig(name: "pacemaker", id: 1)
    var notes: [ConversionNote] = []
    var units: [PacemakerUnit] = []
    var defaults: [String: String] = [:]
    var symmetric = true
    var labels = Set<String>()

    init(file: String, options: ConversionOptions) {
        self.file = file
        self.options = options
    }

    mutating func note(_ kind: ConversionNote.Kind, _ line: Int, _ message: String) {
        notes.append(ConversionNote(kind, file: file, line: line, message))
    }

    mutating func build(_ configuration: XMLElement) {
        for section in configuration.children {
            switch section.name {
            case "crm_config": readProperties(section)
            case "nodes": readNodes(section)
            case "rsc_defaults": defaults = readDefaults(section)
            case "resources", "constraints": break
            default:
                note(.notConverted, section.line, "<\(section.name)> is not converted: it has no Vigil meaning")
            }
        }
        for resources in configuration.children("resources") { readResources(resources) }
        for constraints in configuration.children("constraints") { readConstraints(constraints) }
        buildGroups()
        ConversionAdditions.applyAddresses(options, to: &config, notes: &notes, file: file)
        reportMissing()
    }

    static let bookkeeping: Set<String> = [
        "dc-version", "cluster-infrastructure", "have-watchdog", "last-lrm-refresh", "cluster-recheck-interval",
        "stonith-enabled", "no-quorum-policy",
    ]

    mutating func readProperties(_ section: XMLElement) {
        let (values, ruled) = PacemakerCIB.pairs(of: section, set: "cluster_property_set")
        for set in ruled { note(.notConverted, set.line, "a property set with a rule is not converted") }
        if let name = values["cluster-name"] { config.name = name }
        if values["symmetric-cluster"]?.lowercased() == "false" { symmetric = false }
        let lines = Dictionary(
            section.children.flatMap { $0.children("nvpair") }.map { ($0["name"] ?? "", $0.line) },
            uniquingKeysWith: { first, _ in first })
        for name in values.keys.sorted()
        where !Self.bookkeeping.contains(name)
            && name != "cluster-name" && name != "symmetric-cluster"
        {
            note(
                .notConverted, lines[name] ?? section.line, "property \(name) is not converted: it has no Vigil meaning"
            )
        }
    }

    mutating func readNodes(_ section: XMLElement) {
        var taken = Set<String>()
        for node in section.children("node") {
            guard let uname = node["uname"] else {
                note(.notConverted, node.line, "a node without uname is not converted")
                continue
            }
            if node["type"] == "remote" {
                note(.notConverted, node.line, "remote node \(uname) is not converted: Vigil nodes run vigild")
                continue
            }
            let name = ConvertedNames.unique(ConvertedNames.identifier(uname, fallback: "node"), in: &taken)
            config.nodes.append(Node(name: name))
        }
    }

    mutating func readDefaults(_ section: XMLElement) -> [String: String] {
        let (values, ruled) = PacemakerCIB.pairs(of: section, set: "meta_attributes")
        for set in ruled { note(.notConverted, set.line, "rsc_defaults with a rule are not converted") }
        return values
    }

    mutating func readResources(_ section: XMLElement) {
        for element in section.children {
            let id = element["id"] ?? ""
            let meta = PacemakerCIB.pairs(of: element, set: "meta_attributes").values
            switch element.name {
            case "primitive" where element["class"] == "stonith":
                readFencing(element)
            case "primitive":
                units.append(
                    PacemakerUnit(
                        name: id, line: element.line, ids: [id], primitives: [element], meta: meta, concurrent: false))
            case "group":
                let members = element.children("primitive")
                units.append(
                    PacemakerUnit(
                        name: id, line: element.line, ids: Set([id] + members.compactMap { $0["id"] }),
                        primitives: members, meta: meta, concurrent: false))
            case "clone":
                readClone(element, meta: meta)
            default:
                note(
                    .notConverted, element.line,
                    "<\(element.name) id=\"\(id)\"> is not converted: Vigil has no "
                        + (element.name == "bundle"
                            ? "containers"
                            : element.name == "master"
                                ? "promotable clones"
                                : "such resource"))
            }
        }
    }

    /// A clone of one primitive or group, on every node at once, is a concurrent group; a promotable,
    /// globally unique or count-limited clone is not converted.
    mutating func readClone(_ clone: XMLElement, meta: [String: String]) {
        let id = clone["id"] ?? ""
        let limits = ["promotable", "globally-unique", "clone-max", "clone-node-max", "promoted-max", "master-max"]
        let special = limits.filter { key in meta[key].map { $0.lowercased() != "false" } ?? false }
        let inner = clone.children.filter { $0.name == "primitive" || $0.name == "group" }
        guard special.isEmpty, inner.count == 1, let child = inner.first else {
            let why =
                special.isEmpty ? "it holds no single primitive or group" : "it sets \(special.joined(separator: ", "))"
            note(
                .notConverted, clone.line,
                "clone \(id) is not converted: \(why); Vigil's concurrent groups run "
                    + "one copy on every node of the group")
            return
        }
        let primitives = child.name == "group" ? child.children("primitive") : [child]
        let ids = [id, child["id"] ?? ""] + primitives.compactMap { $0["id"] }
        units.append(
            PacemakerUnit(
                name: id, line: clone.line, ids: Set(ids), primitives: primitives,
                meta: meta.merging(PacemakerCIB.pairs(of: child, set: "meta_attributes").values) { clone, _ in clone },
                concurrent: true))
    }

    /// The unit a resource id belongs to, following merges.
    func unit(of id: String) -> Int? {
        guard var index = units.firstIndex(where: { $0.ids.contains(id) }) else { return nil }
        while let next = units[index].mergedInto { index = next }
        return index
    }
}
