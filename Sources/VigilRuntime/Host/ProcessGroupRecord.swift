import Foundation
import Synchronization

/// The process groups of the applications started on this node, by application: recorded the
/// moment a start command is spawned, readable at any time without waiting for any task (the
/// daemon reads it each time it writes the emergency plan), and kept in `STATE/applications`
/// with the boot id, so that a restarted daemon still knows them and a group recorded before a
/// reboot is never signalled.
public final class ProcessGroupRecord: Sendable {
    public let file: String
    private let groups: Mutex<[String: Int32]>

    /// The record kept in `stateDirectory`, with what the file holds from this boot.
    public init(stateDirectory: String) {
        file = stateDirectory + "/applications"
        groups = Mutex(Self.read(file))
    }

    /// Every recorded group, by application.
    public var current: [String: Int32] { groups.withLock { $0 } }

    public func group(of application: String) -> Int32? { groups.withLock { $0[application] } }

    /// Records `group` for `application` (replacing an older one) and saves the file.
    public func record(_ application: String, _ group: Int32) {
        precondition(group > 1, "refusing to record process group \(group)")
        groups.withLock { groups in
            groups[application] = group
            save(groups)
        }
    }

    /// Forgets `application`'s group, if any, and saves the file.
    public func forget(_ application: String) {
        groups.withLock { groups in
            if groups.removeValue(forKey: application) != nil { save(groups) }
        }
    }

    private func save(_ groups: [String: Int32]) {
        let boot = Self.bootID
        let text = groups.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value) \(boot)\n" }.joined()
        // Best effort by design: the emergency plan is written from memory, not from this file;
        // losing it only loses the kill fallback of a restarted daemon.
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: file), options: .atomic) } catch {
            FileHandle.standardError.write(Data("vigil: cannot record application process groups: \(error)\n".utf8))
        }
    }

    /// This boot's id (`/proc/sys/kernel/random/boot_id`).
    static var bootID: Substring {
        let text = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? "unknown"
        return Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private static func read(_ file: String) -> [String: Int32] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [:] }
        var groups: [String: Int32] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            // A group recorded before a reboot names nobody of ours now: ignored.
            let words = line.split(separator: " ")
            if words.count == 3, words[2] == bootID, let group = Int32(words[1]), group > 1 {
                groups[String(words[0])] = group
            }
        }
        return groups
    }
}
