import VigilModel

/// What the dead man switch must be able to release on a node: every service address the node
/// holds or is configuring or removing now, and every application of a group it holds or is
/// acquiring or releasing (`Step.protect`). The core gives it before the actions that acquire, so
/// that a daemon that dies between starting an action and hearing its result leaves nothing the
/// switch does not know about.
public struct Protection: Sendable, Hashable {
    public var addresses: Set<ProtectedAddress>
    public var applications: Set<String>

    public init(addresses: Set<ProtectedAddress> = [], applications: Set<String> = []) {
        self.addresses = addresses
        self.applications = applications
    }

    /// Whether performing `action` can leave nothing this protection does not cover: an address
    /// configured or an application started must be listed; releasing actions always are covered.
    public func covers(_ action: Action) -> Bool {
        switch action {
        case .addAddress(let label, let address, let adapter):
            addresses.contains(ProtectedAddress(label: label, address: address, adapter: adapter))
        case .startApplication(let name):
            applications.contains(name)
        default:
            true
        }
    }
}

extension Protection {
    /// What `holdings` need covered: the addresses and applications of every group held in any
    /// state but offline, and the node's own service addresses, each on the adapter it is on.
    public init(covering holdings: Holdings, in config: ClusterConfig) {
        self.init()
        for (name, holding) in holdings.groups where holding.state != .offline {
            cover(group: name, holding: holding, in: config)
        }
        for (label, adapter) in holdings.ownAddresses {
            let own = config.nodes.lazy.flatMap(\.interfaces).first { $0.label == label && $0.role == .service }
            insert(label, own?.address, on: adapter)
        }
    }

    /// Adds the applications and addresses of group `name` as `config` defines them.
    mutating func cover(group name: String, holding: GroupHolding, in config: ClusterConfig) {
        applications.formUnion(config.group(named: name)?.applications ?? [])
        for (label, adapter) in holding.addressAdapters {
            insert(label, config.serviceAddress(labelled: label)?.address, on: adapter)
        }
    }

    /// Adds what performing `actions` touches: an address added or removed (a moving address is
    /// on both its adapters until the actions end), an application started or stopped.
    mutating func cover(_ actions: [Action]) {
        for action in actions {
            switch action {
            case .addAddress(let label, let address, let adapter), .removeAddress(let label, let address, let adapter):
                insert(label, address, on: adapter)
            case .startApplication(let name), .stopApplication(let name):
                applications.insert(name)
            default:
                break
            }
        }
    }

    private mutating func insert(_ label: String, _ address: IPv4Address?, on adapter: String) {
        guard let address else { return }
        addresses.insert(ProtectedAddress(label: label, address: address, adapter: adapter))
    }
}

/// A service address on the adapter it is (or is about to be) configured on.
public struct ProtectedAddress: Sendable, Hashable, Comparable {
    public var label: String
    public var address: IPv4Address
    public var adapter: String

    public init(label: String, address: IPv4Address, adapter: String) {
        self.label = label
        self.address = address
        self.adapter = adapter
    }

    public static func < (a: Self, b: Self) -> Bool { (a.label, a.adapter) < (b.label, b.adapter) }
}
