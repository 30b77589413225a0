import Foundation

extension ClusterConfig {
    /// The files the configuration's commands name, which must be the same on every node (`vigil
    /// verify --cluster` compares them): the program each command runs when it is written as an
    /// absolute path (`/etc/vigil/web.start start`), the script an interpreter runs (`/bin/sh
    /// /opt/web/start.sh`), and every absolute path under `/etc/vigil/` anywhere in a command.
    /// Application start, stop and monitor commands, every hook, and fence commands; sorted,
    /// without repeats.
    public var namedFiles: [String] {
        var commands: [String] = []
        for application in applications {
            commands += [application.start, application.stop] + (application.monitor.map { [$0] } ?? [])
        }
        for hooks in self.hooks.values {
            commands += hooks.pre + hooks.post + hooks.notify + (hooks.recovery.map { [$0.command] } ?? [])
        }
        commands += nodes.compactMap(\.fenceCommand)
        var files = Set<String>()
        for command in commands {
            let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == ";" })
                .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"'")) }
            if let program = words.first, program.hasPrefix("/") { files.insert(program) }
            if let program = words.first, Self.interpreters.contains(String(program.split(separator: "/").last ?? "")),
                let script = words.dropFirst().first(where: { !$0.hasPrefix("-") }), script.hasPrefix("/")
            {
                files.insert(script)
            }
            for word in words where word.hasPrefix("/etc/vigil/") { files.insert(word) }
        }
        return files.sorted()
    }

    /// Programs whose first argument is the script they run.
    static let interpreters: Set<String> = ["sh", "bash", "dash", "ksh", "zsh", "python", "python3", "perl", "ruby"]
}
