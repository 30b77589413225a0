import ArgumentParser
import VigilModel
import VigilRuntime

/// What `vigil config` and `vigil snapshot` share: reading a configuration's text from the daemon,
/// printing the semantic difference between two texts, and syncing a text back after its preview
/// (`config rollback`, `snapshot restore`).
enum ConfigurationChange {
    /// A configuration text from the daemon: a kept version, or (`nil`) the newest this node has.
    static func text(of version: UInt64?, options: AdminOptions, printError: (String) -> Void) async -> Result<
        (version: UInt64, text: String), ExitCode
    > {
        var answer: (UInt64, String)?
        let status = await AdminExchange.run(
            .configText(version: version), options: options.quiet, print: { _ in }, printError: printError,
            observe: { payload in if case .config(let number, let text) = payload { answer = (number, text) } })
        guard status == 0, let answer else { return .failure(ExitCode(status == 0 ? 1 : status)) }
        return .success(answer)
    }

    /// The difference from `old` to `new` (each a label and a text), printed under `title`
    /// (`--json`: one object). Exit status 0 when they run the same cluster, 1 when they differ
    /// or one cannot be read.
    static func printDifference(
        from old: (label: String, text: String), to new: (label: String, text: String), title: String,
        options: AdminOptions, print: (String) -> Void, printError: (String) -> Void
    ) -> Int32 {
        var configs: [ClusterConfig] = []
        for (label, text) in [old, new] {
            let (loaded, problems) = ConfigLoader.load(yaml: text, file: label)
            guard let loaded else {
                printError("vigil: \(label) cannot be read:")
                for problem in problems { printError(problem.description) }
                return 1
            }
            configs.append(loaded.config)
        }
        let difference = ConfigDifference(from: configs[0], to: configs[1])
        let lines = difference.changes.map(\.description)
        if options.json {
            print(AdminExchange.json(DifferenceJSON(from: old.label, to: new.label, changes: lines)))
        } else {
            print("\(title): \(difference.count)")
            for line in lines { print(line) }
        }
        return lines.isEmpty ? 0 : 1
    }

    /// `--json` of a difference.
    private struct DifferenceJSON: Encodable {
        var from: String
        var to: String
        var changes: [String]
    }

    /// Prints the preview of syncing `text` (reported as `label`), then, unless `previewOnly` or
    /// the preview says a sync would be refused, syncs it as the next version with
    /// `--expect-version` set to the version the preview was made against.
    static func previewThenSync(
        _ text: String, label: String, previewOnly: Bool, options: AdminOptions, print: (String) -> Void,
        printError: (String) -> Void
    ) async -> Int32 {
        var answer: SyncPreview?
        let status = await AdminExchange.run(
            .syncPreview(text: text, file: label), options: options, print: print, printError: printError,
            observe: { payload in if case .preview(let preview) = payload { answer = preview } })
        guard status == 0, let answer, let preview = answer.preview else { return status == 0 ? 1 : status }
        guard answer.refusal == nil else { return 1 }
        if previewOnly { return 0 }
        return await AdminExchange.run(
            .sync(text: text, file: label, expectVersion: preview.toVersion - 1), options: options, print: print,
            printError: printError)
    }
}
