import Foundation
import Synchronization
import VigilModel

/// A demo stand-in for `AddressDriver`, for the unprivileged local cluster: every address in
/// 127.0.0.0/8 already routes to `lo`, so nothing is configured on the host. The driver only records
/// which labels this node holds and on which adapter, in memory and in a small file (`LABEL ADAPTER
/// ADDRESS` per line) so that a restarted daemon reads its holdings back. It is not a real driver:
/// two demo nodes may "hold" the same address at once without any host noticing.
public final class LoopbackAddressDriver: AddressDriving {
    public let stateFile: String
    private let held: Mutex<[String: Holding]>

    struct Holding: Sendable, Hashable {
        var adapter: String
        var address: IPv4Address
    }

    /// Reads the labels recorded in `stateFile`, if it exists.
    public init(stateFile: String) {
        self.stateFile = stateFile
        self.held = Mutex(Self.read(stateFile))
    }

    public func add(label: String, address: IPv4Address, adapter: String) async -> Result<Void, DriverFailure> {
        guard address.value >> 24 == 127 else {
            return .failure(DriverFailure("the loopback demo driver only takes 127.0.0.0/8 addresses, not \(address)"))
        }
        return update { $0[label] = Holding(adapter: adapter, address: address) }
    }

    public func remove(label: String, address: IPv4Address, adapter: String) async -> Result<Void, DriverFailure> {
        update { held in if held[label]?.adapter == adapter { held[label] = nil } }
    }

    public func configured(_ wanted: [String: IPv4Address]) async -> Result<[String: String], DriverFailure> {
        let snapshot = held.withLock { $0 }
        return .success(snapshot.filter { wanted[$0.key] == $0.value.address }.mapValues(\.adapter))
    }

    private func update(_ change: (inout [String: Holding]) -> Void) -> Result<Void, DriverFailure> {
        held.withLock { held in
            var next = held
            change(&next)
            let text = next.sorted { $0.key < $1.key }
                .map { "\($0.key) \($0.value.adapter) \($0.value.address)\n" }.joined()
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: stateFile), options: .atomic)
            } catch {
                return .failure(DriverFailure("cannot record loopback addresses in \(stateFile): \(error)"))
            }
            held = next
            return .success(())
        }
    }

    private static func read(_ file: String) -> [String: Holding] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [:] }
        var held: [String: Holding] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let words = line.split(separator: " ").map(String.init)
            guard words.count == 3, let address = IPv4Address(words[2]) else { continue }
            held[words[0]] = Holding(adapter: words[1], address: address)
        }
        return held
    }
}
