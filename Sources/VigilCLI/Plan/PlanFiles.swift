import Foundation

/// The output directory of `vigil plan --out`: made when missing, checked writable before the
/// exploration runs, and the diagram drawn there with Graphviz when it is installed.
struct PlanFiles {
    let directory: String

    /// Makes `directory` (and its parents) and checks that a file can be written there.
    init(directory: String) throws {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw PlanCommandError("plan: cannot make the directory \(directory): \(error.localizedDescription)")
        }
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw PlanCommandError("plan: cannot write to the directory \(directory)")
        }
    }

    func path(_ name: String) -> String { directory.hasSuffix("/") ? directory + name : "\(directory)/\(name)" }

    func write(_ name: String, _ text: String) throws {
        do {
            try text.write(toFile: path(name), atomically: true, encoding: .utf8)
        } catch {
            throw PlanCommandError("plan: cannot write \(path(name)): \(error.localizedDescription)")
        }
    }

    /// Draws diagram.dot as diagram.svg with `dot -Tsvg`; says what it did, or why there is no SVG.
    func drawDiagram() throws -> String {
        guard let dot = Self.executable("dot") else {
            return "no \(path("diagram.svg")): Graphviz's dot is not installed (scripts/setup installs graphviz)"
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: dot)
        process.arguments = ["-Tsvg", path("diagram.dot"), "-o", path("diagram.svg")]
        do {
            try process.run()
        } catch {
            throw PlanCommandError("plan: cannot run \(dot): \(error.localizedDescription)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PlanCommandError("plan: \(dot) -Tsvg failed with status \(process.terminationStatus)")
        }
        return "wrote \(path("diagram.svg"))"
    }

    /// The first executable `name` on PATH.
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }
}
