import Crypto
import Foundation

/// How a node has a file, in one comparable word: `sha256:HEX` of its content, or why there is
/// none (`missing`, `not a regular file`, `unreadable`, `larger than 1 MiB: N bytes`). Two nodes
/// have the same file when their digests are equal (`vigil verify --cluster`).
enum FileDigest {
    /// Files larger than this are compared by size only: a command that names a large binary must
    /// not stall the daemon's loop while it reads it.
    static let largestHashed = 1 << 20

    static func describe(_ path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return errno == ENOENT ? "missing" : "unreadable" }
        guard info.st_mode & S_IFMT == S_IFREG else { return "not a regular file" }
        guard info.st_size <= largestHashed else { return "larger than 1 MiB: \(info.st_size) bytes" }
        guard let data = FileManager.default.contents(atPath: path) else { return "unreadable" }
        return sha256(data)
    }

    /// `sha256:HEX` of `data`.
    static func sha256(_ data: Data) -> String {
        "sha256:" + SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// Every named file of `paths`, described.
    static func describe(_ paths: [String]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: paths.map { ($0, describe($0)) })
    }
}
