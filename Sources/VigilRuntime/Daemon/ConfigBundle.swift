import Foundation
import VigilModel

/// What `vigil sync` pushes: the configuration's text and the files it names under the files
/// directory (`/etc/vigil` by default: the hook and application scripts), each with its mode and
/// SHA-256, so that every node runs the same scripts (PowerHA's file collections, csync2). It
/// travels as the synchronised text (`ConfigSync`), JSON-encoded; a text that is not a bundle is a
/// bare configuration (as pushed before files were carried).
struct ConfigBundle: Codable, Sendable, Hashable {
    var configuration: String
    var files: [BundledFile]

    /// One carried file.
    struct BundledFile: Codable, Sendable, Hashable {
        /// Absolute, under the files directory.
        var path: String
        /// Permission bits (`0o755`).
        var mode: UInt32
        /// `sha256:HEX` of the content (`FileDigest`).
        var digest: String
        /// The content, base64.
        var content: String
    }

    /// The largest file carried: scripts, not binaries.
    static let largestFile = 256 * 1024

    /// The text `ConfigSync` carries: the bundle as JSON, or the bare configuration when no file
    /// is carried (what a node of an earlier build reads too).
    var text: String {
        guard !files.isEmpty else { return configuration }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? configuration
    }

    /// A synchronised text read back: a bundle, or a bare configuration.
    init(reading text: String) {
        if text.hasPrefix("{\"configuration\":"),
            let bundle = try? JSONDecoder().decode(ConfigBundle.self, from: Data(text.utf8))
        {
            self = bundle
        } else {
            self.init(configuration: text, files: [])
        }
    }

    init(configuration: String, files: [BundledFile]) {
        self.configuration = configuration
        self.files = files
    }

    /// The configuration with the files it names under `directory`, read from this node's disk.
    /// Throws a sentence naming the file that cannot be carried (missing, not a regular file, too
    /// large, unreadable).
    static func gather(configuration: String, config: ClusterConfig, directory: String) throws(ConfigBundleError)
        -> ConfigBundle
    {
        var files: [BundledFile] = []
        for path in config.namedFiles where isUnder(path, directory) {
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw ConfigBundleError("\(path) is named by the configuration but does not exist on this node")
            }
            guard info.st_mode & S_IFMT == S_IFREG else { throw ConfigBundleError("\(path) is not a regular file") }
            guard info.st_size <= largestFile else {
                throw ConfigBundleError(
                    "\(path) has \(info.st_size) bytes; files carried by a sync are at most 256 KiB")
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigBundleError("\(path) cannot be read")
            }
            files.append(
                BundledFile(
                    path: path, mode: UInt32(info.st_mode & 0o7777), digest: digest(of: data),
                    content: data.base64EncodedString()))
        }
        return ConfigBundle(configuration: configuration, files: files)
    }

    /// Why the carried files cannot be written under `directory`, or `nil` when they can: every
    /// path under it, every content matching its digest.
    func problem(under directory: String) -> String? {
        for file in files {
            guard Self.isUnder(file.path, directory) else {
                return "\(file.path) is not under \(directory): a sync carries only files there"
            }
            guard let data = Data(base64Encoded: file.content), Self.digest(of: data) == file.digest else {
                return "\(file.path) does not match its digest"
            }
        }
        return nil
    }

    /// Writes every carried file whose content differs here (aside, then renamed over, with its
    /// mode). Returns the paths written.
    func write() throws(ConfigBundleError) -> [String] {
        var written: [String] = []
        for file in files where FileDigest.describe(file.path) != file.digest {
            guard let data = Data(base64Encoded: file.content) else {
                throw ConfigBundleError("\(file.path): bad content")
            }
            let directory = (file.path as NSString).deletingLastPathComponent
            let aside = file.path + ".vigil-new"
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                try data.write(to: URL(fileURLWithPath: aside))
                guard chmod(aside, mode_t(file.mode & 0o7777)) == 0, rename(aside, file.path) == 0 else {
                    throw ConfigBundleError("\(file.path): \(String(cString: strerror(errno)))")
                }
            } catch let error as ConfigBundleError {
                throw error
            } catch {
                throw ConfigBundleError("\(file.path): \(error.localizedDescription)")
            }
            written.append(file.path)
        }
        return written
    }

    /// Whether `path` is a normalised absolute path strictly under `directory`.
    static func isUnder(_ path: String, _ directory: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard path.hasPrefix(directory.hasSuffix("/") ? directory : directory + "/"),
            !parts.dropFirst().contains(where: { $0.isEmpty || $0 == "." || $0 == ".." })
        else { return false }
        return true
    }

    static func digest(of data: Data) -> String { FileDigest.sha256(data) }
}

/// A file a sync cannot carry or write, in one sentence.
struct ConfigBundleError: Error, Sendable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
