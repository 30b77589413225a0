/// Which groups may hold which resources, so that a resource is never held by two nodes unless it
/// is built for it (a concurrent volume group in concurrent groups).
extension Verifier {
    /// A resource belongs to one group. Only a concurrent volume group may be in several groups, and
    /// only if they are all concurrent.
    static func checkResourceSharing(_ context: VerifyContext) -> [Diagnostic] {
        let groups = context.config.resourceGroups
        let paths = context.paths.resourceGroups
        var found: [Diagnostic] = []
        let lists: [(kind: String, field: String, names: (ResourceGroup) -> [String])] = [
            ("service address", "service_addresses", \.serviceAddresses),
            ("volume group", "volume_groups", \.volumeGroups),
            ("filesystem", "filesystems", \.filesystems),
            ("NFS export", "nfs_exports", \.nfsExports),
            ("application", "applications", \.applications),
        ]
        for list in lists {
            var holder: [String: Int] = [:]
            for (groupIndex, group) in groups.enumerated() {
                var seenHere: Set<String> = []  // a name listed twice in one group is reported elsewhere
                for (index, name) in list.names(group).enumerated() where seenHere.insert(name).inserted {
                    guard let first = holder[name] else {
                        holder[name] = groupIndex
                        continue
                    }
                    let shared = groups[first]
                    if list.kind == "volume group" && shared.policy == .concurrent && group.policy == .concurrent {
                        continue
                    }
                    found.append(
                        context.error(
                            "\(paths[groupIndex]).\(list.field)[\(index)]",
                            """
                            \(list.kind) \(name) is in group \(group.name) and already in group \(shared.name) \
                            (\(context.whereIs(paths[first]))); a resource belongs to one group so that one node \
                            holds it (only a concurrent volume group may be in several concurrent groups): \
                            remove it from one of them
                            """))
                }
            }
        }
        return found
    }

    /// Concurrent volume groups go in concurrent groups, and only they do; a concurrent group has no
    /// service address (an address is on one node) and no filesystem (a filesystem mounted on several
    /// nodes at once is corrupted).
    static func checkConcurrency(_ context: VerifyContext) -> [Diagnostic] {
        let config = context.config
        var found: [Diagnostic] = []
        for (group, path) in zip(config.resourceGroups, context.paths.resourceGroups) {
            let concurrent = group.policy == .concurrent
            for (index, name) in group.volumeGroups.enumerated() {
                guard let volumeGroup = config.volumeGroup(named: name), volumeGroup.concurrent != concurrent else {
                    continue
                }
                found.append(
                    context.error(
                        "\(path).volume_groups[\(index)]",
                        concurrent
                            ? """
                            volume group \(name) is not concurrent, but \(group.name) is a concurrent group and would \
                            activate it on all its nodes at once; set concurrent: true on \(name) if it is built for \
                            concurrent access, or move it to a cascading or rotating group
                            """
                            : """
                            concurrent volume group \(name) can only be in concurrent groups, and \(group.name) is \
                            \(group.policy.rawValue); make \(group.name) concurrent, or set concurrent: false on \(name)
                            """))
            }
            guard concurrent else { continue }
            if let label = group.serviceAddresses.first {
                found.append(
                    context.error(
                        "\(path).service_addresses[0]",
                        """
                        concurrent group \(group.name) has service address \(label), but a service address is on \
                        one node at a time and a concurrent group runs on all its nodes; move it to a cascading \
                        or rotating group
                        """))
            }
            if let mountPoint = group.filesystems.first {
                found.append(
                    context.error(
                        "\(path).filesystems[0]",
                        """
                        concurrent group \(group.name) has filesystem \(mountPoint), but a filesystem mounted on \
                        several nodes at once is corrupted; move it to a cascading or rotating group
                        """))
            }
        }
        return found
    }

    /// A filesystem's volume group exists, and a group holding the filesystem holds its volume group
    /// too (it must be activated before the filesystem can be mounted).
    static func checkFilesystemVolumeGroups(_ context: VerifyContext) -> [Diagnostic] {
        let config = context.config
        let known = config.volumeGroups.map(\.name)
        var found: [Diagnostic] = []
        for (filesystem, path) in zip(config.filesystems, context.paths.filesystems) {
            guard let name = filesystem.volumeGroup, config.volumeGroup(named: name) == nil else { continue }
            found.append(
                context.error(
                    "\(path).volume_group",
                    """
                    volume group \(name) of filesystem \(filesystem.mountPoint) is not defined\
                    \(VerifyContext.suggestion(name, among: known)); define it under volume_groups or use one \
                    of: \(VerifyContext.list(known))
                    """))
        }
        for (group, path) in zip(config.resourceGroups, context.paths.resourceGroups) {
            for (index, mountPoint) in group.filesystems.enumerated() {
                guard let volumeGroup = config.filesystem(at: mountPoint)?.volumeGroup,
                    config.volumeGroup(named: volumeGroup) != nil,
                    !group.volumeGroups.contains(volumeGroup)
                else { continue }
                found.append(
                    context.error(
                        "\(path).filesystems[\(index)]",
                        """
                        filesystem \(mountPoint) is on volume group \(volumeGroup), which group \(group.name) does \
                        not hold; add \(volumeGroup) to its volume_groups
                        """))
            }
        }
        return found
    }
}
