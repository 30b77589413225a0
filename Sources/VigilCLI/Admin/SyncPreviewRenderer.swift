import VigilCore
import VigilRuntime

/// The text of `vigil sync --preview`: the difference, what each group would do, the notes, what
/// verify found, and the summary as the last line.
enum SyncPreviewRenderer {
    static func lines(_ answer: SyncPreview) -> [String] {
        var lines: [String] = []
        guard let preview = answer.preview else {
            lines += answer.findings
            lines.append("preview: \(answer.source) cannot be read as a configuration: nothing to compare")
            return lines
        }
        lines.append("preview of \(answer.source) against the running version \(preview.fromVersion):")
        lines.append("changes:")
        lines += preview.changes.isEmpty ? ["  none"] : preview.changes.map { "  \($0)" }
        if !preview.groups.isEmpty {
            lines.append("groups:")
            lines += preview.groups.map { "  \($0.description)" }
        }
        if !answer.carried.isEmpty {
            lines.append("files carried to every node:")
            lines += answer.carried.map { "  \($0)" }
        }
        if !preview.notes.isEmpty {
            lines.append("notes:")
            lines += preview.notes.map { "  \($0)" }
        }
        lines.append(
            "verify: \(answer.errors) error\(answer.errors == 1 ? "" : "s"), \(answer.warnings) "
                + "warning\(answer.warnings == 1 ? "" : "s")")
        lines += answer.findings.map { "  \($0)" }
        if let refusal = answer.refusal { lines.append("vigil sync would be refused: \(refusal)") }
        lines.append(preview.summary)
        return lines
    }
}
