import Foundation
import NIOCore
import VigilCore
import VigilModel
import VigilRuntime
import VigilSimulation

/// The valid inputs that mutations start from: real messages of every kind, taken from the
/// simulator running the example cluster `scream` through starts, a crash, a rejoin, an
/// administrator's move and a stop; the packets, payloads and disk records that carry them; every
/// admin request; the example configuration files.
struct Corpus {
    /// The cluster of the packets and records (examples/scream.yaml).
    let config: ClusterConfig
    let codec: PacketCodec
    /// Envelopes of every `Message` case, a few of each.
    let envelopes: [Envelope]
    /// `envelopes` as packets.
    let packets: [[UInt8]]
    /// The payloads of `packets`, each after its kind byte (the envelope decoder's input).
    let payloads: [[UInt8]]
    /// Slot images of node records (4 KiB and the daemon's 64 KiB slots).
    let slots: [[UInt8]]
    let tiebreakers: [[UInt8]]
    /// Request lines of every admin command, without their newline.
    let adminLines: [[UInt8]]
    /// Every YAML file of the examples directory, by name.
    let yamlFiles: [(name: String, text: String)]

    /// The secret of the fuzzing cluster's key (any 16 bytes or more).
    static let secret = Array("vigil-fuzz: a cluster key of the fuzzing cluster".utf8)
    static let slotSize = 64 * 1024

    init(examples directory: String) throws {
        yamlFiles = try Self.yamlFiles(in: directory)
        config = try ConfigLoader.load(contentsOf: "\(directory)/scream.yaml").config
        codec = PacketCodec(clusterID: config.id, key: try ClusterKey(secret: Self.secret, clusterID: config.id))
        envelopes = Self.simulatedEnvelopes(config) + Self.handmadeEnvelopes(config)
        let codec = codec
        let packets = try envelopes.map { try codec.encodeBytes($0) }
        self.packets = packets
        payloads = packets.map { [$0[5]] + Array($0[PacketCodec.headerSize..<($0.count - PacketCodec.tagSize)]) }
        slots = try Self.slotImages(config, packets: packets)
        let lease = TiebreakerRecord(owner: "ghost3", incarnation: 1_763_790_000_123, sequence: 42)
        let clusterID = config.id
        tiebreakers = try [4096, Self.slotSize].map {
            try DiskRecordCodec.encode(lease, clusterID: clusterID, slotSize: $0)
        }
        adminLines = Self.adminCommands.map { command in
            Array(AdminWire.line(AdminWire.Request(command: command)).readableBytesView.dropLast())
        }
    }

    static func yamlFiles(in directory: String) throws -> [(name: String, text: String)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".yaml") }.sorted()
        guard names.contains("scream.yaml") else {
            throw CorpusError("\(directory) has no scream.yaml: give the examples directory with --examples")
        }
        return try names.map { ($0, try String(contentsOfFile: "\(directory)/\($0)", encoding: .utf8)) }
    }

    /// What the nodes of `config` send each other in the simulator through a minute of events: the
    /// first few envelopes of each message case.
    static func simulatedEnvelopes(_ config: ClusterConfig) -> [Envelope] {
        let simulator = Simulator(config: config, seed: 1)
        var byCase: [String: [Envelope]] = [:]
        simulator.onSend = { envelope in
            let name = caseName(envelope.message)
            if byCase[name, default: []].count < 6 { byCase[name, default: []].append(envelope) }
        }
        let nodes = config.nodes.map(\.name)
        for node in nodes { simulator.start(node) }
        simulator.run(for: .seconds(10))
        simulator.crash(nodes[2])
        simulator.run(for: .seconds(10))
        simulator.start(nodes[2])
        simulator.run(for: .seconds(10))
        if let group = config.resourceGroups.first {
            simulator.request(.move(group: group.name, node: nodes[3]), on: nodes[3])
            simulator.request(.offline(group: group.name, sticky: true), on: nodes[1])
        }
        simulator.run(for: .seconds(10))
        simulator.stop(nodes[1], how: .takeover)
        simulator.run(for: .seconds(10))
        return byCase.keys.sorted().flatMap { byCase[$0]! }
    }

    /// The messages the simulator does not send (the daemon's own: services orders, configuration
    /// synchronisation).
    static func handmadeEnvelopes(_ config: ClusterConfig) -> [Envelope] {
        let messages: [Message] = [
            .services(ServicesOrder(id: 7, command: .start)),
            .services(ServicesOrder(id: 8, command: .stop(.takeover))),
            .servicesDone(ServicesAnswer(id: 7, node: "ghost2", outcome: "starting cluster services on ghost2")),
            .config(.announce(version: 3)),
            .config(.chunk(ConfigChunk(version: 3, index: 0, count: 2, text: "cluster: {name: scream, id: 20}\n"))),
            .config(.stored(version: 3)),
            .config(.rejected(version: 3, reason: "ghost9 is not a node of the configuration")),
        ]
        return messages.map {
            Envelope(clusterID: config.id, from: "ghost1", incarnation: 77, to: "ghost3", network: "ether", message: $0)
        }
    }

    /// `heartbeat`, `state`, ...: the case of a message, from its description.
    static func caseName(_ message: Message) -> String {
        String(String(describing: message).prefix { $0 != "(" })
    }

    /// Node records of every shape: small, with echoes, holdings and an outbox of real packets;
    /// and a full one, with as many echoes and holdings as a record takes.
    static func slotImages(_ config: ClusterConfig, packets: [[UInt8]]) throws -> [[UInt8]] {
        let small = packets.filter { $0.count < 600 }.prefix(3)
        var record = DiskSlotRecord(
            clusterID: config.id, node: "ghost2", incarnation: 1_763_790_000_123, sequence: 9,
            view: ViewID(epoch: 12, coordinator: "ghost1"), installedEpoch: 12, stamp: .milliseconds(98_765_432),
            echoes: ["ghost1": .milliseconds(98_765_001), "ghost3": .milliseconds(98_764_000)],
            holdings: ["SH2", "CH1"],
            outbox: small.enumerated().map {
                DiskOutboxMessage(to: "ghost3", sequence: UInt64($0.offset + 1), packet: $0.element)
            })
        record.ipPeers = ["ghost1", "ghost3"]
        record.disconnected = true
        var full = record
        let peers = (0..<DiskRecordCodec.maximumEchoes).map { ("n\($0)", Duration.seconds($0)) }
        full.echoes = Dictionary(uniqueKeysWithValues: peers)
        full.holdings = (0..<DiskRecordCodec.maximumHoldings).map { "g\($0)" }
        full.outbox = []
        let bare = DiskSlotRecord(
            clusterID: config.id, node: "ghost4", incarnation: 1, sequence: 1,
            view: ViewID(epoch: 0, coordinator: "ghost4"), installedEpoch: 0, stamp: .zero)
        return try [
            DiskRecordCodec.encode(record, slotSize: 4096), DiskRecordCodec.encode(record, slotSize: slotSize),
            DiskRecordCodec.encode(full, slotSize: slotSize), DiskRecordCodec.encode(bare, slotSize: 4096),
        ]
    }

    /// One of each admin command, with both values of every flag.
    static let adminCommands: [AdminCommand] = [
        .status(watchIntervalMilliseconds: nil), .status(watchIntervalMilliseconds: 1000),
        .start(all: false), .start(all: true),
        .stop(mode: .graceful, all: false), .stop(mode: .takeover, all: true), .stop(mode: .forced, all: false),
        .rgList, .rgMove(group: "SH2", node: "ghost4"), .rgOnline(group: "SH2"), .rgOffline(group: "SH3", sticky: true),
        .log(cluster: true, lines: 100, follow: false), .log(cluster: false, lines: 0, follow: true),
        .sync(text: nil, file: nil, expectVersion: nil),
        .sync(text: "cluster: {name: x, id: 1}\n", file: "x.yaml", expectVersion: 3),
        .syncPreview(text: nil, file: nil), .syncPreview(text: "networks: []\n", file: "y.yaml"),
        .configHistory, .configText(version: nil), .configText(version: 7),
        .snapshotSave(name: "before"), .snapshotList, .snapshotText(name: "before"),
        .acknowledge,
    ]
}

/// The corpus cannot be built: the examples are missing or unreadable.
struct CorpusError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
