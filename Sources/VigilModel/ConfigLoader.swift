import Foundation
import Yams

/// A configuration as read from its file, with where each field was written (for diagnostics).
public struct LoadedConfig: Sendable {
    public var config: ClusterConfig
    public var sourceMap: SourceMap
    /// The file's format (`ConfigFormat`): its `format` key, or `ConfigFormat.unversioned`.
    public var format: Int

    public init(config: ClusterConfig, sourceMap: SourceMap, format: Int = ConfigFormat.current) {
        self.config = config
        self.sourceMap = sourceMap
        self.format = format
    }
}

/// A configuration file that could not be read or has errors; `description` lists every problem,
/// one `FILE:LINE:COLUMN: error: MESSAGE` line each.
public struct ConfigLoadError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// Reads a cluster configuration from its YAML file format (described in `docs/configuration.md`),
/// recording the location of every field and reporting every problem as a `Diagnostic`.
///
/// The loader checks the file's shape: syntax, known keys, value types, required fields, addresses,
/// durations with units, enumeration values. Whether the configuration makes sense as a cluster
/// (duplicate names, subnets, references between entries) is `Verifier`'s job.
public enum ConfigLoader {
    /// Parses text; returns the config (nil if it could not be built) and every problem found while reading.
    /// The config is `nil` whenever an error was found: a half-read configuration is never used.
    public static func load(yaml: String, file: String) -> (LoadedConfig?, [Diagnostic]) {
        let size = yaml.utf8.count
        guard size <= ConfigLimits.largestFileBytes else {
            let location = SourceLocation(file: file, line: 1, column: 1)
            let limit = ConfigLimits.largestFileBytes >> 20
            let message = "the file has \(size) bytes; a configuration is at most \(limit) MiB"
            return (nil, [Diagnostic(.error, at: location, message)])
        }
        let root: Yams.Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            return (nil, [syntaxDiagnostic(error, file: file)])
        }
        var reader = ConfigReader(file: file)
        guard let root else {
            reader.error(nil, "the file is empty; a configuration needs at least cluster, networks and nodes")
            return (nil, reader.diagnostics)
        }
        let config = reader.readConfig(root)
        let diagnostics = Diagnostic.sortedByPosition(reader.diagnostics)
        guard let config, !reader.hasErrors else { return (nil, diagnostics) }
        return (LoadedConfig(config: config, sourceMap: reader.sourceMap, format: reader.format), diagnostics)
    }

    /// Reads a file; throws ConfigLoadError (carrying the diagnostics, with a description listing them)
    /// when it cannot be read or has errors.
    public static func load(contentsOf path: String) throws -> LoadedConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let location = SourceLocation(file: path, line: 1, column: 1)
            let reason = (error as NSError).localizedDescription
            throw ConfigLoadError(diagnostics: [Diagnostic(.error, at: location, "cannot read \(path): \(reason)")])
        }
        let (loaded, diagnostics) = load(yaml: text, file: path)
        guard let loaded else { throw ConfigLoadError(diagnostics: diagnostics) }
        return loaded
    }

    /// A YAML syntax error at the line and column libyaml reported.
    static func syntaxDiagnostic(_ error: any Error, file: String) -> Diagnostic {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        let top = SourceLocation(file: file, line: 1, column: 1)
        guard let yamlError = error as? YamlError else {
            return Diagnostic(.error, at: top, "YAML syntax error: \(error)")
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let during = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return Diagnostic(.error, at: at(mark), "YAML syntax error: \(problem)\(during)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return Diagnostic(.error, at: at(context.mark), "key \(keys) appears twice in one mapping; keep one")
        case .reader(let problem, let offset, _, let yaml):
            return Diagnostic(
                .error, at: location(ofOffset: offset, in: yaml, file: file), "cannot read the text: \(problem)")
        default:
            return Diagnostic(.error, at: top, "YAML error: \(yamlError)")
        }
    }

    /// The line and column of a character offset (libyaml's reader errors give offsets).
    static func location(ofOffset offset: Int?, in text: String, file: String) -> SourceLocation {
        guard let offset else { return SourceLocation(file: file, line: 1, column: 1) }
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return SourceLocation(file: file, line: line, column: column)
    }
}

extension Diagnostic {
    /// Diagnostics ordered by file, line and column; those at the same position keep their order.
    public static func sortedByPosition(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.enumerated().sorted { lhs, rhs in
            let a = lhs.element.location
            let b = rhs.element.location
            return (a.file, a.line, a.column, lhs.offset) < (b.file, b.line, b.column, rhs.offset)
        }.map(\.element)
    }
}
