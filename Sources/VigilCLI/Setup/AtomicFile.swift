import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A file written whole or not at all, and never readable beyond its mode: created with its mode
/// (0600 for a secret) under a temporary name in the same directory (`O_EXCL`: never someone
/// else's file), flushed to disk, then renamed over the path (or linked, when nothing may be
/// replaced). The directory is made (0755) when missing. An existing file is replaced only when
/// asked: a new cluster key splits the cluster until every node has it.
enum AtomicFile {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Writes `text` to `path`; throws `Failure` naming the path and the reason.
    static func write(_ text: String, to path: String, mode: mode_t = 0o600, replacing: Bool) throws(Failure) {
        let directory = (path as NSString).deletingLastPathComponent
        if !replacing && FileManager.default.fileExists(atPath: path) {
            throw Failure(description: "\(path) exists")
        }
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            } catch {
                throw Failure(description: "cannot make \(directory): \(error.localizedDescription)")
            }
        }
        let temporary = "\(directory.isEmpty ? "." : directory)/.\((path as NSString).lastPathComponent).\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw Failure(description: "cannot create \(temporary): \(Self.errorText())") }
        fchmod(descriptor, mode)  // the mode asked for, not narrowed by the umask
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        let flushed = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, flushed else {
            unlink(temporary)
            throw Failure(description: "cannot write \(temporary): \(Self.errorText())")
        }
        if !replacing {
            // link(2) refuses an existing path: no file that appeared meanwhile is replaced.
            defer { unlink(temporary) }
            guard link(temporary, path) == 0 else {
                throw Failure(
                    description: errno == EEXIST ? "\(path) exists" : "cannot write \(path): \(Self.errorText())")
            }
            return
        }
        guard rename(temporary, path) == 0 else {
            let reason = Self.errorText()
            unlink(temporary)
            throw Failure(description: "cannot write \(path): \(reason)")
        }
    }

    /// `bytes` random bytes from the kernel's generator (`getrandom(2)`), as lowercase hex.
    static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}
