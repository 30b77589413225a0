/// Every name that reaches a command line, a file name, a path or a device has a form Linux
/// accepts there (`NameRules`).
extension Verifier {
    /// Identifiers, interface names, volume group names, paths, commands and the words handed to
    /// `mount` and `exportfs`.
    static func checkNameForms(_ context: VerifyContext) -> [Diagnostic] {
        var check = NameFormCheck(context: context)
        let config = context.config
        check.identifier("cluster name", config.name, at: "cluster.name", fallback: "cluster1")
        for (network, path) in zip(config.networks, context.paths.networks) {
            check.identifier("network name", network.name, at: "\(path).name", fallback: "net1")
            if case .disk(let device) = network.kind {
                check.path("device of disk network \(NameRules.quoted(network.name))", device, at: "\(path).device")
            }
        }
        for (index, node) in config.nodes.enumerated() {
            check.node(node, index: index)
        }
        for (service, path) in zip(config.serviceAddresses, context.paths.serviceAddresses) {
            check.identifier("service address label", service.label, at: "\(path).label", fallback: "service1")
        }
        for (application, path) in zip(config.applications, context.paths.applications) {
            check.application(application, at: path)
        }
        for (volumeGroup, path) in zip(config.volumeGroups, context.paths.volumeGroups) {
            check.volumeGroup(volumeGroup.name, at: "\(path).name")
        }
        for (filesystem, path) in zip(config.filesystems, context.paths.filesystems) {
            check.filesystem(filesystem, at: path)
        }
        for (export, path) in zip(config.nfsExports, context.paths.nfsExports) {
            check.export(export, at: path)
        }
        for (group, path) in zip(config.resourceGroups, context.paths.resourceGroups) {
            check.identifier("resource group name", group.name, at: "\(path).name", fallback: "group1")
        }
        for (event, hooks) in config.hooks.sorted(by: { $0.key < $1.key }) {
            check.hooks(hooks, of: event)
        }
        return check.found
    }
}

/// The name checks of one configuration, collecting what they find.
private struct NameFormCheck {
    let context: VerifyContext
    var found: [Diagnostic] = []

    init(context: VerifyContext) { self.context = context }

    mutating func add(_ path: String, _ message: String) { found.append(context.error(path, message)) }

    mutating func identifier(_ what: String, _ name: String, at path: String, fallback: String, note: String = "") {
        guard let problem = NameRules.identifierProblem(name) else { return }
        let suggestion = NameRules.suggestedIdentifier(for: name, fallback: fallback)
        add(
            path,
            """
            \(what) \(NameRules.quoted(name))\(note) \(problem); \(NameRules.identifierRule): rename it, \
            e.g. \(suggestion)
            """)
    }

    mutating func path(_ what: String, _ value: String, at path: String) {
        guard let problem = NameRules.absolutePathProblem(value) else { return }
        add(
            path,
            """
            \(what) \(NameRules.quoted(value)) \(problem); write an absolute path of at most \(NameRules.pathBytes) \
            bytes without NUL or newline characters, e.g. /dev/sdb1 or /srv/data
            """)
    }

    mutating func command(_ what: String, _ value: String, at path: String) {
        guard let problem = NameRules.commandProblem(value) else { return }
        let fix = problem == "is empty" ? "write the command to run" : "remove the NUL character"
        add(path, "\(what) \(problem); \(fix)")
    }

    mutating func node(_ node: Node, index: Int) {
        let nodePath = context.paths.nodes[index]
        identifier("node name", node.name, at: "\(nodePath).name", fallback: "node\(index + 1)")
        if let fence = node.fenceCommand {
            command("fence command of node \(NameRules.quoted(node.name))", fence, at: "\(nodePath).fence")
        }
        for (number, interface) in node.interfaces.enumerated() {
            let path = context.paths.interface(node: index, number)
            let owner = "of node \(NameRules.quoted(node.name))"
            if let problem = NameRules.interfaceNameProblem(interface.name) {
                add(
                    "\(path).name",
                    """
                    adapter name \(NameRules.quoted(interface.name)) \(owner) \(problem); Linux interface names \
                    are 1 to \(NameRules.interfaceNameBytes) bytes, not '.' or '..', without '/', ':', whitespace \
                    or control characters: use the name `ip link` shows, e.g. eth0
                    """)
            }
            let written = context.sourceMap.locations["\(path).label"] != nil
            let namesValid =
                NameRules.identifierProblem(node.name) == nil
                && NameRules.interfaceNameProblem(interface.name) == nil
            if written || namesValid {
                let note = written ? "" : " (the default NODE_ADAPTER)"
                let fallback = "\(node.name)_if\(number)"
                identifier("label", interface.label, at: "\(path).label", fallback: fallback, note: note)
            }
            if let device = interface.device {
                self.path("device of interface \(NameRules.quoted(interface.label))", device, at: "\(path).device")
            }
        }
    }

    mutating func application(_ application: Application, at path: String) {
        identifier("application name", application.name, at: "\(path).name", fallback: "app1")
        let name = NameRules.quoted(application.name)
        command("start command of application \(name)", application.start, at: "\(path).start")
        command("stop command of application \(name)", application.stop, at: "\(path).stop")
        if let monitor = application.monitor {
            command("monitor command of application \(name)", monitor, at: "\(path).monitor")
        }
    }

    mutating func volumeGroup(_ name: String, at path: String) {
        guard let problem = NameRules.volumeGroupNameProblem(name) else { return }
        add(
            path,
            """
            volume group name \(NameRules.quoted(name)) \(problem); LVM volume group names are 1 to \
            \(NameRules.volumeGroupNameBytes) letters, digits, '+', '_', '.' and '-', not starting with '-' and \
            not '.' or '..': use the name `vgs` shows, e.g. sharedvg.01
            """)
    }

    mutating func filesystem(_ filesystem: Filesystem, at path: String) {
        let mountPoint = NameRules.quoted(filesystem.mountPoint)
        self.path("mount point", filesystem.mountPoint, at: "\(path).mount_point")
        self.path("device of filesystem \(mountPoint)", filesystem.device, at: "\(path).device")
        if let problem = NameRules.filesystemTypeProblem(filesystem.type) {
            add(
                "\(path).type",
                """
                type \(NameRules.quoted(filesystem.type)) of filesystem \(mountPoint) \(problem); write the type \
                `mount -t` takes: 1 to \(NameRules.filesystemTypeBytes) letters, digits, '.', '_', '+' and '-', \
                e.g. ext4
                """)
        }
    }

    mutating func export(_ export: NFSExport, at path: String) {
        self.path("NFS export path", export.path, at: "\(path).path")
        let shown = NameRules.quoted(export.path)
        if let problem = NameRules.exportWordProblem(export.clients) {
            add(
                "\(path).clients",
                """
                clients \(NameRules.quoted(export.clients)) of NFS export \(shown) \(problem); write one client \
                without spaces: a host, a network such as 192.0.2.0/24, or *
                """)
        }
        if let problem = NameRules.exportWordProblem(export.options) {
            add(
                "\(path).options",
                """
                options \(NameRules.quoted(export.options)) of NFS export \(shown) \(problem); write exportfs \
                options separated by commas without spaces, e.g. rw,sync
                """)
        }
    }

    mutating func hooks(_ hooks: EventHooks, of event: ClusterEventName) {
        let path = "hooks.\(event.rawValue)"
        for (phase, commands) in [("pre", hooks.pre), ("post", hooks.post), ("notify", hooks.notify)] {
            for (index, value) in commands.enumerated() {
                command("\(phase) hook \(index + 1) of \(event.rawValue)", value, at: "\(path).\(phase)[\(index)]")
            }
        }
        if let recovery = hooks.recovery {
            command("recovery command of \(event.rawValue)", recovery.command, at: "\(path).recovery.command")
        }
    }
}
