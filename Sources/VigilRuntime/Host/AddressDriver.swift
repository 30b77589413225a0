import VigilModel

/// Service addresses for real: `ip -4 addr add ADDR/PREFIX dev DEVICE`, then gratuitous ARP with
/// `arping -U -c COUNT -I DEVICE ADDR`. The state is read back with `ip -4 -o addr show` before and
/// after every change.
///
/// A configuration's interface `name` is the Linux device (`eth0`); `deviceNames` maps names that
/// differ on this host (a configuration written with the seed's `en0`) to the real device. The prefix
/// comes from the netmask of the address's network.
///
/// Gratuitous ARP is not waited for: `arping` takes a second per packet, and the application must
/// start at once. Its first packet leaves as it starts; a removal of the address stops it, so a node
/// never announces an address it no longer holds (`AddressAnnouncements`).
///
/// Gratuitous ARP: when `arping` is not installed, or the device is `lo`, the announcement is skipped
/// and a note says so; the address change itself still counts as done (neighbours then learn the new
/// owner on their next ARP request). A failed `arping` is a note too, never a failed action.
public struct AddressDriver: AddressDriving {
    public private(set) var config: ClusterConfig
    public let node: String
    public let runner: any CommandRunning
    public let lookup: CommandLookup
    /// Prepended to every `ip`/`arping` command line (e.g. `ip netns exec vigil-test-42`): tests
    /// target a throwaway network namespace with it.
    public let commandPrefix: String?
    public let deviceNames: [String: String]
    /// Gratuitous ARP packets sent per acquisition.
    public let arpCount: Int
    /// The timeout of each `ip` or `arping` command.
    public let timeout: Duration
    public let note: @Sendable (String) -> Void
    /// The announcements in flight, by address.
    let announcements = AddressAnnouncements()

    public init(
        config: ClusterConfig, node: String, runner: any CommandRunning = CommandRunner(),
        lookup: CommandLookup = CommandLookup(), commandPrefix: String? = nil, deviceNames: [String: String] = [:],
        arpCount: Int = 3, timeout: Duration = .seconds(10), note: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        precondition((0...100).contains(arpCount), "arp count \(arpCount) out of 0...100")
        self.config = config
        self.node = node
        self.runner = runner
        self.lookup = lookup
        self.commandPrefix = commandPrefix
        self.deviceNames = deviceNames
        self.arpCount = arpCount
        self.timeout = timeout
        self.note = note
    }

    public func reconfigured(to config: ClusterConfig) -> any AddressDriving {
        var copy = self
        copy.config = config
        return copy
    }

    /// The Linux device of a configured adapter.
    public func device(of adapter: String) -> String { deviceNames[adapter] ?? adapter }

    public func add(label: String, address: IPv4Address, adapter: String) async -> Result<Void, DriverFailure> {
        let device = device(of: adapter)
        guard let prefix = prefixLength(of: label) else {
            return .failure(DriverFailure("no IP network with a netmask for \(label)"))
        }
        // Straight to the change (a takeover waits for it), then the state read back: an address
        // already there makes `ip addr add` fail, and the read back tells that from a real failure.
        let result = await ip("-4 addr add \(address)/\(prefix) dev \(shellQuote(device))")
        switch await addresses(on: device) {
        case .failure(let failure):
            if case .failure(let addFailure) = result { return .failure(addFailure) }
            return .failure(failure)
        case .success(let after) where !after.contains(address):
            if case .failure(let failure) = result { return .failure(failure) }
            return .failure(DriverFailure("\(address) not on \(device) after ip addr add"))
        case .success: break
        }
        await announce(address, on: device)
        return .success(())
    }

    public func remove(label: String, address: IPv4Address, adapter: String) async -> Result<Void, DriverFailure> {
        let device = device(of: adapter)
        announcements.stop(address)
        // Straight to the change with the configured prefix; read back. Only if the address is
        // still there (absent already, or held with another prefix) does it look first.
        if let prefix = prefixLength(of: label) {
            _ = await ip("-4 addr del \(address)/\(prefix) dev \(shellQuote(device))")
            if case .success(let after) = await addresses(on: device), !after.contains(address) { return .success(()) }
        }
        switch await addresses(on: device) {
        case .failure(let failure): return .failure(failure)
        case .success(let present) where !present.contains(address): return .success(())
        case .success(let present):
            let prefix = present.first { $0.address == address }!.prefix
            let result = await ip("-4 addr del \(address)/\(prefix) dev \(shellQuote(device))")
            if case .failure(let failure) = result { return .failure(failure) }
            guard case .success(let after) = await addresses(on: device), !after.contains(address) else {
                return .failure(DriverFailure("\(address) still on \(device) after ip addr del"))
            }
            return .success(())
        }
    }

    public func configured(_ wanted: [String: IPv4Address]) async -> Result<[String: String], DriverFailure> {
        let adapters =
            config.node(named: node)?.interfaces.filter { config.network(named: $0.network)?.isIP ?? false }.map(\.name)
            ?? []
        var found: [String: String] = [:]
        var seen: Set<String> = []
        for adapter in adapters where seen.insert(adapter).inserted {
            guard case .success(let present) = await addresses(on: device(of: adapter)) else { continue }
            for (label, address) in wanted where present.contains(address) { found[label] = adapter }
        }
        return .success(found)
    }

    /// The IPv4 addresses on `device`, from `ip -4 -o addr show dev DEVICE`.
    func addresses(on device: String) async -> Result<[AddressEntry], DriverFailure> {
        let result = await ip("-4 -o addr show dev \(shellQuote(device))")
        return result.map { AddressEntry.parse($0) }
    }

    private func ip(_ arguments: String) async -> Result<String, DriverFailure> {
        guard case .success(let ip) = lookup.require("ip") else { return .failure(DriverFailure("ip not found")) }
        let line = [commandPrefix, shellQuote(ip) + " " + arguments].compactMap { $0 }.joined(separator: " ")
        let result = await runner.run(ShellCommand(line, timeout: timeout))
        guard result.succeeded else { return .failure(DriverFailure("\(line): \(result.summary)")) }
        return .success(result.output)
    }

    /// Sends gratuitous ARP for `address` on `adapter` again (after a partition heals). Never fails:
    /// a missing or failing `arping` is a note.
    public func announce(_ address: IPv4Address, adapter: String) async {
        await announce(address, on: device(of: adapter))
    }

    private func announce(_ address: IPv4Address, on device: String) async {
        guard arpCount > 0 else { return }
        guard device != "lo" else { return note("no gratuitous ARP for \(address) on lo") }
        guard let arping = lookup.path(of: "arping") else {
            return note("arping not found: no gratuitous ARP for \(address) on \(device)")
        }
        let command = "\(shellQuote(arping)) -U -c \(arpCount) -I \(shellQuote(device)) \(address)"
        let line = [commandPrefix, command].compactMap { $0 }.joined(separator: " ")
        let (runner, note, timeout) = (runner, note, timeout)
        announcements.start(address) {
            let result = await runner.run(ShellCommand(line, timeout: timeout + .seconds(arpCount)))
            if !result.succeeded, !Task.isCancelled {
                note("gratuitous ARP for \(address) on \(device) failed: \(result.summary)")
            }
        }
    }

    /// The prefix length for `label`: the netmask of its service address's network, or of the
    /// network of the node's own interface with that label.
    func prefixLength(of label: String) -> Int? {
        let network =
            config.serviceAddress(labelled: label)?.network
            ?? config.nodes.lazy.flatMap(\.interfaces).first { $0.label == label }?.network
        return network.flatMap { config.network(named: $0)?.netmask?.prefixLength }
    }
}

/// One line of `ip -4 -o addr show`. Public for the test bed (VigilTestbed), which reads what each
/// node's namespace really holds the way this driver reads its own host.
public struct AddressEntry: Sendable, Hashable {
    public var device: String
    public var address: IPv4Address
    public var prefix: Int

    /// Parses lines like `2: eth0    inet 192.0.2.5/24 brd ... scope global eth0\ ...`.
    public static func parse(_ output: String) -> [AddressEntry] {
        output.split(whereSeparator: \.isNewline).compactMap { line in
            let words = line.split(whereSeparator: \.isWhitespace)
            guard words.count > 3, let inet = words.firstIndex(of: "inet"), inet + 1 < words.count else { return nil }
            let parts = words[inet + 1].split(separator: "/")
            guard parts.count == 2, let address = IPv4Address(String(parts[0])), let prefix = Int(parts[1]) else {
                return nil
            }
            let device = words[1].split(separator: "@").first.map(String.init) ?? String(words[1])
            return AddressEntry(device: device, address: address, prefix: prefix)
        }
    }
}

extension [AddressEntry] {
    func contains(_ address: IPv4Address) -> Bool { contains { $0.address == address } }
}
