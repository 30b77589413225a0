import Foundation

/// The files a node keeps in one directory under one suffix (configuration versions,
/// snapshots): each one's name without the suffix, when it was last written, and its size.
enum KeptFiles {
    struct Entry {
        var name: String
        /// Seconds since 1970.
        var modified: Double
        var bytes: Int
    }

    /// Every file of `directory` named `NAME` + `suffix`, in no particular order; none when the
    /// directory does not exist.
    static func list(in directory: String, suffix: String) -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { file in
            guard file.hasSuffix(suffix), file.count > suffix.count,
                let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/" + file)
            else { return nil }
            return Entry(
                name: String(file.dropLast(suffix.count)),
                modified: (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0,
                bytes: (attributes[.size] as? NSNumber)?.intValue ?? 0)
        }
    }
}
