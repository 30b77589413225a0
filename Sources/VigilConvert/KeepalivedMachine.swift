import VigilModel

/// What one keepalived.conf says about its machine, read from its statements: the VRRP instances,
/// sync groups, scripts and tracked processes, and its `router_id`. Every statement it does not
/// carry over gets a note with its line (`notes`), so that nothing is dropped silently.
struct KeepalivedMachine {
    struct VirtualAddress {
        var address: IPv4Address
        var prefix: Int?
        var device: String?
        var line: Int
    }

    struct Instance {
        var name: String
        var line: Int
        var interface: String?
        var routerID: Int?
        /// keepalived's default priority is 100.
        var priority = 100
        var noPreempt = false
        var addresses: [VirtualAddress] = []
        var sourceAddress: IPv4Address?
        var peers: [IPv4Address] = []
        /// Names of `vrrp_script` and `vrrp_track_process` entries, with the line naming them.
        var trackScripts: [(name: String, line: Int)] = []
        var trackProcesses: [(name: String, line: Int)] = []
    }

    struct SyncGroup {
        var name: String
        var line: Int
        var members: [String]
    }

    /// A `vrrp_script` or a `vrrp_track_process`: a check whose failure takes the instance down.
    struct Check {
        var name: String
        var line: Int
        /// The monitor command: the script, or a `pgrep` for a process.
        var command: String
        var interval: Duration = .seconds(1)
        var timeout: Duration?
        var used = false
    }

    var file: String
    var routerID: String?
    var instances: [Instance] = []
    var syncGroups: [SyncGroup] = []
    var checks: [String: Check] = [:]
    var notes: [ConversionNote] = []

    init(file: String, statements: [KeepalivedStatement]) {
        self.file = file
        for statement in statements { read(statement) }
    }

    mutating func note(_ line: Int, _ message: String, _ kind: ConversionNote.Kind = .notConverted) {
        notes.append(ConversionNote(kind, file: file, line: line, message))
    }

    mutating func read(_ statement: KeepalivedStatement) {
        if let condition = statement.condition {
            let message = "\(statement.keyword) is not converted: the line is only for keepalived's config id"
            note(statement.line, "\(message) '\(condition)' (-i); remove the @ prefix of the lines you want")
            return
        }
        let name = statement.arguments.first ?? ""
        switch statement.keyword {
        case "global_defs": readGlobals(statement)
        case "vrrp_instance": readInstance(statement, name: name)
        case "vrrp_sync_group": readSyncGroup(statement, name: name)
        case "vrrp_script": readScript(statement, name: name)
        case "vrrp_track_process": readTrackProcess(statement, name: name)
        case "virtual_server", "virtual_server_group":
            note(statement.line, "\(statement.keyword) is not converted: Vigil does not balance load")
        case "static_ipaddress", "static_routes", "static_rules":
            note(
                statement.line,
                "\(statement.keyword) is not converted: Vigil does not manage addresses and routes "
                    + "that stay on a node; configure them in the system's network configuration")
        case "include":
            note(
                statement.line,
                "include \(name) is not followed: convert that file's statements too "
                    + "(paste them in, or convert it as well)", .mustAdd)
        default:
            note(statement.line, Self.notConverted(statement.keyword))
        }
    }

    /// The reason a keyword is not converted, for those with a Vigil counterpart that works otherwise.
    static func notConverted(_ keyword: String) -> String {
        let reasons: [(prefixes: [String], reason: String)] = [
            (
                ["notify", "smtp_alert"],
                "Vigil runs hooks on cluster events: add the command under hooks "
                    + "(e.g. rg_move_complete: {post: [...]})"
            ),
            (["auth"], "Vigil authenticates cluster traffic with the cluster key"),
            (
                ["advert_int"],
                "Vigil's heartbeats replace VRRP adverts (tuning.heartbeat; a node is found down "
                    + "after 0.6s by default)"
            ),
            (["garp_", "gna_"], "Vigil repeats gratuitous ARP itself whenever it acquires an address"),
            (
                ["track_interface"],
                "Vigil watches the adapters of its networks itself; add the interface as a "
                    + "network if its loss should move the group"
            ),
            (["use_vmac", "vmac_"], "Vigil moves addresses, not MAC addresses"),
            (["preempt_delay"], "a cascading group falls back as soon as its first node is up"),
            (["virtual_routes", "virtual_rules"], "Vigil moves addresses, not routes; add a post hook"),
        ]
        for (prefixes, reason) in reasons where prefixes.contains(where: { keyword.hasPrefix($0) }) {
            return "\(keyword) is not converted: \(reason)"
        }
        return "\(keyword) is not converted: it has no Vigil meaning"
    }

    mutating func readGlobals(_ statement: KeepalivedStatement) {
        for child in statement.children {
            if child.keyword == "router_id", let value = child.arguments.first {
                routerID = value
            } else if child.keyword.hasPrefix("notification_email") || child.keyword.hasPrefix("smtp") {
                note(
                    child.line,
                    "global_defs \(child.keyword) is not converted: Vigil sends no mail; "
                        + "add a notify hook")
            } else {
                note(child.line, "global_defs " + Self.notConverted(child.keyword))
            }
        }
    }

    mutating func readInstance(_ statement: KeepalivedStatement, name: String) {
        var instance = Instance(name: name, line: statement.line)
        for child in statement.children {
            let value = child.arguments.first
            switch child.keyword {
            case "interface": instance.interface = value
            case "state": break  // the initial state: priorities decide, as they do in keepalived
            case "virtual_router_id": instance.routerID = value.flatMap { Int($0) }
            case "priority":
                if let value, let priority = Int(value), (1...255).contains(priority) {
                    instance.priority = priority
                } else {
                    note(child.line, "priority '\(value ?? "")' is not a number from 1 to 255; 100 is used")
                }
            case "nopreempt": instance.noPreempt = true
            case "preempt": instance.noPreempt = false
            case "virtual_ipaddress", "virtual_ipaddress_excluded":
                for entry in child.children { readAddress(entry, into: &instance) }
            case "unicast_src_ip", "mcast_src_ip": instance.sourceAddress = value.flatMap { IPv4Address($0) }
            case "unicast_peer":
                for peer in child.children {
                    if let address = peer.words.first.flatMap({ IPv4Address($0) }) {
                        instance.peers.append(address)
                    } else {
                        note(peer.line, "unicast_peer \(peer.words.first ?? "") is not an IPv4 address; not converted")
                    }
                }
            case "track_script":
                instance.trackScripts += trackedNames(child)
            case "track_process":
                instance.trackProcesses += trackedNames(child)
            default:
                note(child.line, Self.notConverted(child.keyword))
            }
        }
        if instance.interface == nil {
            note(statement.line, "vrrp_instance \(name) has no interface; eth0 is used", .assumed)
        }
        instances.append(instance)
    }

    /// The names in a `track_script` or `track_process` block; a `weight` is noted: Vigil moves the
    /// group when the check fails, it does not lower a priority.
    mutating func trackedNames(_ block: KeepalivedStatement) -> [(name: String, line: Int)] {
        var names: [(name: String, line: Int)] = []
        for entry in block.children {
            guard let name = entry.words.first else { continue }
            if entry.words.contains("weight") {
                note(
                    entry.line,
                    "\(name)'s weight is not converted: in Vigil a failing monitor moves the group "
                        + "to the next node, it does not lower a priority")
            }
            names.append((name, entry.line))
        }
        return names
    }

    /// `ADDRESS[/PREFIX] [dev DEVICE] [label ...] [brd ...] [scope ...]`.
    mutating func readAddress(_ entry: KeepalivedStatement, into instance: inout Instance) {
        guard let text = entry.words.first else { return }
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let address = IPv4Address(String(parts.first ?? "")) else {
            let reason = text.contains(":") ? "Vigil's service addresses are IPv4" : "not an IPv4 address"
            note(entry.line, "virtual address \(text) is not converted: \(reason)")
            return
        }
        var prefix: Int?
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...32).contains(value) else {
                note(entry.line, "virtual address \(text) is not converted: the prefix is not 0 to 32")
                return
            }
            prefix = value
        }
        if instance.addresses.contains(where: { $0.address == address }) {
            note(entry.line, "virtual address \(address) is listed twice; converted once")
            return
        }
        var device: String?
        if let index = entry.words.firstIndex(of: "dev"), index + 1 < entry.words.count {
            device = entry.words[index + 1]
        }
        let extra = entry.words.dropFirst().filter { $0 != "dev" && $0 != device }
        if !extra.isEmpty {
            note(
                entry.line,
                "'\(extra.joined(separator: " "))' of \(address) is not converted: Vigil adds service "
                    + "addresses with the network's netmask and no label or scope")
        }
        instance.addresses.append(VirtualAddress(address: address, prefix: prefix, device: device, line: entry.line))
    }

    mutating func readSyncGroup(_ statement: KeepalivedStatement, name: String) {
        var group = SyncGroup(name: name, line: statement.line, members: [])
        for child in statement.children {
            if child.keyword == "group" {
                group.members += child.children.compactMap(\.words.first)
            } else {
                note(child.line, Self.notConverted(child.keyword))
            }
        }
        syncGroups.append(group)
    }

    mutating func readScript(_ statement: KeepalivedStatement, name: String) {
        var check = Check(name: name, line: statement.line, command: "")
        for child in statement.children {
            let value = child.arguments.joined(separator: " ")
            switch child.keyword {
            case "script": check.command = value
            case "interval": check.interval = seconds(value, child) ?? check.interval
            case "timeout": check.timeout = seconds(value, child)
            case "weight", "rise", "fall", "user", "init_fail":
                note(
                    child.line,
                    "vrrp_script \(name) \(child.keyword) is not converted: a Vigil monitor fails the "
                        + "application at its first failure, runs as root, and moves the group after restart_count")
            default: note(child.line, Self.notConverted(child.keyword))
            }
        }
        if check.command.isEmpty {
            note(statement.line, "vrrp_script \(name) has no script; not converted")
            return
        }
        checks[name] = check
    }

    mutating func readTrackProcess(_ statement: KeepalivedStatement, name: String) {
        var process: String?
        var parameters: String?
        var check = Check(name: name, line: statement.line, command: "")
        for child in statement.children {
            switch child.keyword {
            case "process": process = child.arguments.first
            case "param_match": break
            case "delay": check.interval = seconds(child.arguments.first ?? "", child) ?? check.interval
            default:
                if child.keyword == "weight" || child.keyword == "quorum" || child.keyword.hasPrefix("quorum") {
                    note(
                        child.line,
                        "vrrp_track_process \(name) \(child.keyword) is not converted: the monitor "
                            + "checks that one such process runs")
                } else if child.keyword == "parameters" {
                    parameters = child.arguments.joined(separator: " ")
                } else {
                    note(child.line, Self.notConverted(child.keyword))
                }
            }
        }
        guard let process else {
            note(statement.line, "vrrp_track_process \(name) has no process; not converted")
            return
        }
        check.command =
            parameters.map { "pgrep -f -- \(Self.shellQuoted(process + " " + $0))" }
            ?? "pgrep -x -- \(Self.shellQuoted(process))"
        checks[name] = check
    }

    mutating func seconds(_ text: String, _ statement: KeepalivedStatement) -> Duration? {
        guard let value = Double(text), value.isFinite, value > 0, value <= 86_400 else {
            note(statement.line, "\(statement.keyword) '\(text)' is not a number of seconds; not converted")
            return nil
        }
        return .milliseconds(Int64((value * 1000).rounded()))
    }

    /// `text` in single quotes for /bin/sh.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}
