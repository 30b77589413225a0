import Crypto
import Foundation

/// The key that authenticates cluster traffic, derived from the shared cluster key file.
///
/// Every node has the same file (at least 16 bytes of secret, e.g. `openssl rand -hex 32`); trailing
/// whitespace and newlines are ignored so that an editor's final newline does not split the
/// cluster. The packet key is derived from the file's bytes with HKDF-SHA256 (salt
/// `vigil-cluster-key-v1`, info `vigil packets, cluster <id>`, 32 bytes), so that one secret used by
/// two clusters still gives each its own key, and a later key use (say, the HTTP token) can derive
/// another key from the same secret without sharing it.
///
/// `@unchecked Sendable`: swift-crypto does not declare `SymmetricKey` `Sendable`, though it is an
/// immutable value (its bytes are never changed after creation), safe to share between threads.
public struct ClusterKey: @unchecked Sendable {
    /// The shortest secret accepted, in bytes.
    public static let minimumSecretBytes = 16

    let packetKey: SymmetricKey
    /// HMAC-SHA256 keyed with `packetKey` and nothing authenticated yet: a copy of it signs or
    /// checks a packet without hashing the key again (that was half the cost of a small packet).
    let packetMAC: HMAC<SHA256>

    /// Derives the packet key from a secret.
    public init(secret: some Sequence<UInt8>, clusterID: Int) throws(ClusterKeyError) {
        try self.init(secret: secret, clusterID: clusterID, path: nil)
    }

    init(secret: some Sequence<UInt8>, clusterID: Int, path: String?) throws(ClusterKeyError) {
        var bytes = Array(secret)
        while let last = bytes.last, last == 0x20 || last == 0x0a || last == 0x0d || last == 0x09 {
            bytes.removeLast()
        }
        guard bytes.count >= Self.minimumSecretBytes else {
            throw .tooShort(bytes: bytes.count, minimum: Self.minimumSecretBytes, path: path)
        }
        packetKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: bytes),
            salt: Array("vigil-cluster-key-v1".utf8),
            info: Array("vigil packets, cluster \(clusterID)".utf8),
            outputByteCount: 32)
        packetMAC = HMAC<SHA256>(key: packetKey)
    }

    /// Reads the secret from the file at `path` (the daemon's `--key` option).
    public static func load(fromFile path: String, clusterID: Int) throws(ClusterKeyError) -> ClusterKey {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: "\(error.localizedDescription)")
        }
        return try ClusterKey(secret: data, clusterID: clusterID, path: path)
    }
}

/// A cluster key that cannot be used: the file cannot be read, or holds too short a secret.
/// The daemon refuses to start with it rather than run unauthenticated.
public enum ClusterKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case tooShort(bytes: Int, minimum: Int, path: String? = nil)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read the cluster key \(path): \(reason)"
        case .tooShort(let bytes, let minimum, let path):
            "the cluster key\(path.map { " \($0)" } ?? "") has \(bytes) bytes; at least \(minimum) are needed (e.g. "
                + "openssl rand -hex 32)"
        }
    }
}
