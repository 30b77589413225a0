import Testing
import VigilConvert
import VigilModel

/// Loads a converted configuration's YAML as `vigil verify` would: the loader's and the verifier's
/// diagnostics (the loader must accept what the writer wrote).
func verified(_ result: ConversionResult, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [Diagnostic] {
    let yaml = result.yaml(from: ["test"])
    let (loaded, problems) = ConfigLoader.load(yaml: yaml, file: "converted.yaml")
    #expect(problems.isEmpty, "the converted YAML does not load: \(problems)\n\(yaml)", sourceLocation: sourceLocation)
    guard let loaded else { return problems }
    #expect(loaded.config == result.config, "the YAML reads back differently\n\(yaml)", sourceLocation: sourceLocation)
    return Verifier.verify(loaded)
}

func errors(_ diagnostics: [Diagnostic]) -> [Diagnostic] { diagnostics.filter { $0.severity == .error } }

/// The 1-based line of the first line of `text` containing `needle` (0 when none does).
func line(of needle: String, in text: String) -> Int {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    return (lines.firstIndex { $0.contains(needle) } ?? -1) + 1
}
