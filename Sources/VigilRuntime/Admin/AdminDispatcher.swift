/// Turns one `AdminCommand` into its responses by calling an `AdminHandler`. Shared by every front
/// end (the Unix socket server now, an HTTP API later), so they answer alike: well-formedness is
/// checked here, `AdminRefusal` becomes `.refused`, any other error `.error`.
public struct AdminDispatcher: Sendable {
    public let handler: any AdminHandler
    /// Waits between two snapshots of `status` with a watch interval; a clock's sleep.
    let sleep: @Sendable (Duration) async throws -> Void

    public init(handler: any AdminHandler, clock: some Clock<Duration> = ContinuousClock()) {
        self.handler = handler
        self.sleep = { try await clock.sleep(for: $0) }
    }

    /// Answers `command`, handing each response to `send` in order. Returns when the answer is
    /// complete, when `send` throws (the client left), or when the task is cancelled.
    public func respond(to command: AdminCommand, send: (AdminResponse) async throws -> Void) async throws {
        if let problem = command.problem {
            try await send(.error(message: problem))
            return
        }
        switch command {
        case .status(let interval?):
            try await watch(every: .milliseconds(interval), send: send)
        case .log(let cluster, let lines, let follow):
            try await streamLog(cluster: cluster, lines: lines, follow: follow, send: send)
        default:
            try await send(answer(command))
        }
    }

    /// The single response to a command that does not stream.
    public func answer(_ command: AdminCommand) async -> AdminResponse {
        do {
            switch command {
            case .status: return .ok(.status(try await handler.status()))
            case .agreedState: return .ok(.agreed(try await handler.agreedState()))
            case .rgList: return .ok(.groups(try await handler.groups()))
            case .start(let all): return .ok(.done(message: try await handler.start(all: all)))
            case .stop(let mode, let all): return .ok(.done(message: try await handler.stop(mode: mode, all: all)))
            case .sync(let text, let file, let expectVersion):
                return .ok(.done(message: try await handler.sync(text: text, file: file, expectVersion: expectVersion)))
            case .syncPreview(let text, let file):
                return .ok(.preview(try await handler.syncPreview(text: text, file: file)))
            case .configHistory:
                let (entries, running) = try await handler.configHistory()
                return .ok(.history(entries: entries, running: running))
            case .snapshotSave(let name): return .ok(.done(message: try await handler.snapshotSave(name: name)))
            case .snapshotList: return .ok(.snapshots(entries: try await handler.snapshotList()))
            case .clusterStatus: return .ok(.statuses(nodes: try await handler.clusterStatus()))
            case .snapshotText(let name):
                return .ok(.snapshot(name: name, text: try await handler.snapshotText(name: name)))
            case .configText(let version):
                let (number, text) = try await handler.configText(version: version)
                return .ok(.config(version: number, text: text))
            case .rgMove, .rgOnline, .rgOffline, .acknowledge:
                return .ok(.done(message: try await handler.perform(command.groupRequest!)))
            case .log: preconditionFailure("log streams: \(command)")
            }
        } catch {
            return Self.response(for: error)
        }
    }

    /// A snapshot now and after every interval, until the client leaves or the task is cancelled.
    func watch(every interval: Duration, send: (AdminResponse) async throws -> Void) async throws {
        while !Task.isCancelled {
            let response = await answer(.status(watchIntervalMilliseconds: nil))
            try await send(response)
            guard case .ok = response else { return }
            try await sleep(interval)
        }
    }

    /// One response per log line. An error of the handler's stream is the last response.
    func streamLog(cluster: Bool, lines: Int, follow: Bool, send: (AdminResponse) async throws -> Void) async throws {
        var iterator = handler.log(cluster: cluster, lines: lines, follow: follow).makeAsyncIterator()
        while true {
            let line: String?
            do {
                line = try await iterator.next()
            } catch {
                if Task.isCancelled { return }
                try await send(Self.response(for: error))
                return
            }
            guard let line else { return }
            try await send(.ok(.log(lines: [line])))
        }
    }

    static func response(for error: any Error) -> AdminResponse {
        if let refusal = error as? AdminRefusal { return .refused(reason: refusal.reason) }
        return .error(message: "\(error)")
    }
}
