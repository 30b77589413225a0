import ArgumentParser
import Foundation
import VigilModel
import VigilSimulation

/// The names the shell completes for the arguments that take a node or a resource group
/// (`vigil rg move GROUP NODE`, `rg online GROUP`, `explain GROUP`, ...), read from the local
/// configuration: `$VIGIL_CONFIG` when set and not empty, else `/etc/vigil/cluster.yaml`, the file
/// vigild reads by default.
///
/// Completion runs while an administrator types: whatever goes wrong (no file, no permission, a file
/// with errors) completes nothing rather than printing to the terminal.
enum LocalClusterNames {
    /// The configuration vigild reads when it is given no `--config`.
    static let standardConfigPath = "/etc/vigil/cluster.yaml"

    /// `$VIGIL_CONFIG` when set and not empty, else `standardConfigPath`.
    static var configPath: String {
        let fromEnvironment = ProcessInfo.processInfo.environment["VIGIL_CONFIG"] ?? ""
        return fromEnvironment.isEmpty ? standardConfigPath : fromEnvironment
    }

    /// Completes a node's name.
    static let nodes = CompletionKind.custom { _, _, prefix in
        names(prefix: prefix) { $0.nodes.map(\.name) }
    }

    /// Completes a resource group's name.
    static let groups = CompletionKind.custom { _, _, prefix in
        names(prefix: prefix) { $0.resourceGroups.map(\.name) }
    }

    /// Completes a word of an emulated event: an event's name, or a node, network or group name.
    static let eventWords = CompletionKind.custom { _, _, prefix in
        names(prefix: prefix) { config in
            let verbs = EmulatedEvent.forms.compactMap { $0.split(separator: " ").first.map(String.init) }
            return verbs + ["--then"] + config.nodes.map(\.name) + config.networks.map(\.name)
                + config.resourceGroups.map(\.name)
        }
    }

    /// The names `select` picks from the configuration at `path` that start with `prefix`, sorted;
    /// none when the file cannot be read or loaded.
    static func names(
        prefix: String, path: String = configPath, select: (ClusterConfig) -> [String]
    ) -> [String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            return []  // No configuration here (or not readable): nothing to complete.
        }
        guard let loaded = ConfigLoader.load(yaml: text, file: path).0 else { return [] }
        return select(loaded.config).filter { $0.hasPrefix(prefix) }.sorted()
    }
}
