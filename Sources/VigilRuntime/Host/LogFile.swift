import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An append-only log file: every line is written with one `write` on an `O_APPEND` descriptor,
/// prefixed with the wall-clock time (logs are the one place the runtime reads wall time).
public final class LogFile: Sendable {
    public let path: String
    private let descriptor: Mutex<Int32>
    /// Lines longer than this are cut, so that one runaway record cannot fill the disk in one write.
    public static let maximumLineBytes = 16 * 1024

    /// Opens (creating) `path` for appending.
    public init(path: String) throws(DriverFailure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw DriverFailure("cannot open log \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        self.descriptor = Mutex(fd)
    }

    deinit { descriptor.withLock { _ = close($0) } }

    /// Appends `text` (one line; embedded newlines are kept, each following line indented) with the
    /// current wall-clock time in front. Returns false if the write failed.
    @discardableResult
    public func append(_ text: String) -> Bool {
        var line = Self.timestamp() + " " + text.replacingNewlines()
        if line.utf8.count > Self.maximumLineBytes {
            line = String(decoding: line.utf8.prefix(Self.maximumLineBytes), as: UTF8.self) + " [cut]"
        }
        line += "\n"
        return descriptor.withLock { fd in
            line.utf8CString.withUnsafeBufferPointer { buffer in
                let count = buffer.count - 1
                return write(fd, buffer.baseAddress, count) == count
            }
        }
    }

    /// `2026-11-22T05:10:43.123Z`: UTC, milliseconds.
    public static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S", &parts)
        let base = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let millis = Int(now.tv_nsec / 1_000_000)
        return base + "." + String(millis + 1000).dropFirst() + "Z"
    }
}

extension String {
    /// Continuation lines of a multi-line record, indented under their first line.
    func replacingNewlines() -> String {
        split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n    ")
    }
}
