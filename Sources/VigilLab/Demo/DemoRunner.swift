import Foundation

/// Plays the demo, step by step, narrating each one and printing the status table after it. Every
/// wait has a limit; whatever happens, the processes it started are stopped before it returns
/// (unless `keep` and the demo succeeded).
final class DemoRunner {
    let setup: DemoSetup
    let keep: Bool
    let waitLimit: Duration
    let say: (String) -> Void
    let cluster: DemoCluster
    let reader: DemoStatusReader
    /// The client asking SH2's service, once started.
    var probe: DemoProbeLoop?
    /// The node whose daemon the demo asks for the status: one that is never crashed.
    let observer: String

    init(setup: DemoSetup, keep: Bool, waitLimit: Duration, print: @escaping (String) -> Void) {
        self.setup = setup
        self.keep = keep
        self.waitLimit = waitLimit
        self.say = print
        self.cluster = DemoCluster(
            directory: setup.stateDirectory, config: setup.configPath, vigild: setup.vigild,
            vigil: setup.vigil, nodes: setup.nodes)
        self.reader = DemoStatusReader(vigil: setup.vigil, scratchDirectory: setup.stateDirectory, timeout: .seconds(5))
        self.observer = setup.nodes.first { $0 != DemoSetup.home && $0 != DemoSetup.takeover } ?? setup.nodes[0]
    }

    /// What the demo measured.
    struct Outcome {
        var takeoverGap: Duration
        var fallbackGap: Duration
    }

    func run() throws {
        DemoSignals.install()
        try cluster.prepare(diskFile: setup.diskFile)
        try setup.writeConfig()
        let result: Result<Outcome, DemoCommandFailure>
        do { result = .success(try play()) } catch let failure as DemoCommandFailure {
            result = .failure(failure)
        } catch {
            result = .failure(DemoCommandFailure("\(error)"))
        }
        probe?.stop()
        switch result {
        case .success(let outcome):
            if keep { explain() } else { try finish() }
            say(
                "demo: \(DemoSetup.group) moved \(DemoSetup.home) -> \(DemoSetup.takeover), client saw no answer for "
                    + "\(Self.milliseconds(outcome.takeoverGap)) ms"
            )
        case .failure(let failure):
            say("")
            say("The demo failed: \(failure)")
            say("Each node's daemon log is in \(setup.stateDirectory)/NODE/vigild.out.")
            try finish()
            throw failure
        }
    }

    private func play() throws -> Outcome {
        try startNodes()
        try startClient()
        try crashHome()
        let takeover = try awaitTakeover()
        probe?.resetLongestGap()
        try restartHome()
        let fallback = probe?.record.longestGap ?? .zero
        say("   During the fallback the client saw no answer for \(Self.milliseconds(fallback)) ms.")
        return Outcome(takeoverGap: takeover, fallbackGap: fallback)
    }

    // MARK: the steps

    private func startNodes() throws {
        say("== 1. Start cluster services on ghost1..ghost4 (Table 12, case 1: every node comes up)")
        say("   Four vigild processes on loopback addresses, one per node, state in \(setup.stateDirectory).")
        for node in setup.nodes {
            let pid = try cluster.start(node)
            say("   \(node): vigild pid \(pid), socket \(cluster.socket(node))")
        }
        say("   Waiting for every node to be UP and every group placed: CH1 on ghost1 and ghost2,")
        say("   SH2 on ghost3, SH3 on ghost4, IP4 on the first node to come up ...")
        let status = try waitFor("every node UP and every group placed", running: setup.nodes) { status in
            status.allUp(self.setup.nodes) && status.online("CH1") == ["ghost1", "ghost2"]
                && status.online(DemoSetup.group) == [DemoSetup.home] && status.online("SH3") == [DemoSetup.takeover]
                && status.online("IP4").count == 1
        }
        say("   Every group is placed; IP4 went to \(status.online("IP4").first ?? "?"), the first node up.")
        showTable()
    }

    private func startClient() throws {
        say("== 2. A client asks SH2's service (\(setup.service)) for its node's name every 10 ms")
        let loop = DemoProbeLoop(endpoint: setup.service)
        probe = loop
        loop.start()
        try waitForClient(answer: DemoSetup.home, after: nil)
        say("   The client's answer: \(DemoSetup.home).")
    }

    private func crashHome() throws {
        say("== 3. Crash \(DemoSetup.home), the node holding SH2: SIGKILL for its vigild and its applications")
        for line in cluster.crash(DemoSetup.home) { say("   killed \(line)") }
    }

    /// Waits for the takeover; returns the longest time the client went without an answer.
    private func awaitTakeover() throws -> Duration {
        let crashedAt = ContinuousClock.now
        say("== 4. The survivors notice and take over: waiting for SH2 ONLINE on \(DemoSetup.takeover) ...")
        let running = setup.nodes.filter { $0 != DemoSetup.home }
        let status = try waitFor("SH2 ONLINE on \(DemoSetup.takeover) and \(DemoSetup.home) DOWN", running: running) {
            status in
            status.online(DemoSetup.group) == [DemoSetup.takeover]
                && !status.nodes.contains { $0.name == DemoSetup.home && $0.state == "UP" }
        }
        try waitForClient(answer: DemoSetup.takeover, after: crashedAt)
        let record = probe?.record
        let gap = record?.longestGap ?? .zero
        say(
            "   SH2 answers from \(DemoSetup.takeover), "
                + "\(Self.seconds(crashedAt.duration(to: record?.gapEndedAt ?? .now))) after the crash."
        )
        say(
            "   The client saw no answer for \(Self.milliseconds(gap)) ms (from its last answer from "
                + "\(record?.gapFrom ?? "?") to its first from \(record?.gapTo ?? "?"))."
        )
        if let timing = status.timing {
            let detection = Self.seconds(.milliseconds(timing.nodeDetectionMilliseconds))
            let wait = Self.seconds(.milliseconds(timing.takeoverWaitMilliseconds))
            say("   (This configuration declares a node down after \(detection) of silence on all its paths, the disk")
            say("   heartbeat being the slowest, and takes over no sooner than \(wait) after the node was last heard;")
            say("   then \(DemoSetup.takeover) adds the service address and starts the application.)")
        }
        showTable()
        return gap
    }

    private func restartHome() throws {
        say("== 5. Restart \(DemoSetup.home)'s vigild: SH2 is cascading, so it falls back to \(DemoSetup.home)")
        let restartedAt = ContinuousClock.now
        let pid = try cluster.start(DemoSetup.home)
        say("   \(DemoSetup.home): vigild pid \(pid); waiting for SH2 ONLINE on \(DemoSetup.home) ...")
        _ = try waitFor("SH2 back ONLINE on \(DemoSetup.home)", running: setup.nodes) { status in
            status.allUp(self.setup.nodes) && status.online(DemoSetup.group) == [DemoSetup.home]
        }
        try waitForClient(answer: DemoSetup.home, after: restartedAt)
        say("   SH2 is back on \(DemoSetup.home) and answers from there.")
        showTable()
    }

    private func finish() throws {
        say("== 6. Stop everything: SIGTERM to each vigild, then make sure nothing the demo started runs")
        for line in cluster.stopAll() { say("   \(line)") }
        let left = setup.nodes.flatMap { node in
            (cluster.daemonPid(node).map { ["\(node)'s vigild (pid \($0))"] } ?? [])
                + cluster.servicePids(node).map { "\(node)/\($0.0) (pid \($0.1))" }
        }
        guard left.isEmpty else {
            throw DemoCommandFailure("still running after the stop: \(left.joined(separator: ", "))")
        }
        say("   Nothing left running.")
    }

    private func explain() {
        let directory = setup.stateDirectory
        say("== 6. The cluster keeps running (--keep). Explore it:")
        for node in setup.nodes { say("   \(setup.vigil) status --socket \(cluster.socket(node))") }
        say("   \(setup.vigil) rg list --socket \(cluster.socket(observer))")
        say("   Each node's log: \(directory)/NODE/vigild.out; its state: \(directory)/NODE.")
        say("   Stop it: kill $(cat \(directory)/ghost*/vigild.pid)   (each daemon stops its applications)")
        say(
            "   then, for anything left: for f in \(directory)/ghost*/Application_*.pid; do \(setup.vigil) "
                + "demo-service stop --pid-file \"$f\"; done"
        )
    }
}
