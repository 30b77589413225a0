import Testing
@testable import VigilModel

@Suite("ConfigLoader: quorum and the dead man switch")
struct ConfigLoaderQuorumTests {
    /// `Fixture.twoNodes` with its quorum line replaced.
    static func twoNodes(quorum: String) -> String {
        Fixture.twoNodes.replacingOccurrences(of: "quorum: {policy: disk, tiebreaker: dhb}\n", with: quorum)
    }

    @Test("each policy is read; without the section the policy is majority and there is no tiebreaker")
    func policies() throws {
        for policy in QuorumPolicy.allCases {
            let (loaded, problems) = load(Self.twoNodes(quorum: "quorum: {policy: \(policy.rawValue)}\n"))
            #expect(problems.isEmpty, "\(problems)")
            #expect(loaded?.config.quorum == policy && loaded?.config.tiebreaker == nil)
        }
        let (absent, problems) = load(Self.twoNodes(quorum: ""))
        #expect(problems.isEmpty)
        #expect(absent?.config.quorum == .majority && absent?.config.tiebreaker == nil)
        let (disk, _) = load(Fixture.twoNodes)
        #expect(disk?.config.quorum == .disk && disk?.config.tiebreaker == "dhb")
    }

    @Test("the section's fields are recorded in the source map")
    func locations() throws {
        let yaml = Self.twoNodes(quorum: "quorum:\n  policy: disk\n  tiebreaker: dhb\n")
        let (loaded, problems) = load(yaml)
        #expect(problems.isEmpty)
        let map = try #require(loaded?.sourceMap)
        #expect(map.location(of: "quorum").line == line(of: "quorum:", in: yaml))
        #expect(map.location(of: "quorum.policy").line == line(of: "policy: disk", in: yaml))
        #expect(map.location(of: "quorum.policy").column == column(of: "disk", onLineWith: "policy: disk", in: yaml))
        #expect(map.location(of: "quorum.tiebreaker").line == line(of: "tiebreaker: dhb", in: yaml))
        #expect(map.location(of: "quorum.tiebreaker").column == column(of: "dhb", onLineWith: "tiebreaker", in: yaml))
    }

    @Test("an unknown policy is an error at the value, with a likely spelling and the allowed values")
    func unknownPolicy() throws {
        let yaml = Self.twoNodes(quorum: "quorum: {policy: majorty}\n")
        let (loaded, problems) = load(yaml)
        #expect(loaded == nil)
        let problem = try #require(single(problems, containing: "unknown value 'majorty' for quorum.policy"))
        #expect(problem.severity == .error)
        #expect(problem.message.contains("(did you mean 'majority'?)"))
        #expect(problem.message.hasSuffix("allowed values: majority, disk, none"))
        #expect(problem.location.line == line(of: "majorty", in: yaml))
        #expect(problem.location.column == column(of: "majorty", in: yaml))
    }

    @Test("an unknown key, a missing policy and a section that is not a mapping are errors")
    func shape() throws {
        let misspelt = Self.twoNodes(quorum: "quorum: {policy: disk, tie_breaker: dhb}\n")
        let (_, keyProblems) = load(misspelt)
        let key = try #require(single(keyProblems, containing: "unknown key 'tie_breaker' in quorum"))
        #expect(key.message.contains("(did you mean 'tiebreaker'?); allowed keys: policy, tiebreaker"))
        #expect(key.location.column == column(of: "tie_breaker", in: misspelt))
        let (noPolicy, policyProblems) = load(Self.twoNodes(quorum: "quorum: {tiebreaker: dhb}\n"))
        #expect(noPolicy == nil)
        #expect(single(policyProblems, containing: "quorum has no 'policy'; policy is required") != nil)
        let (_, scalarProblems) = load(Self.twoNodes(quorum: "quorum: disk\n"))
        #expect(single(scalarProblems, containing: "quorum must be a mapping with keys policy, tiebreaker") != nil)
    }

    @Test("dead_man_switch and release_allowance are read as durations into the tuning")
    func durations() throws {
        let yaml = Fixture.twoNodes + """
            tuning:
              dead_man_switch: 1.5s
              release_allowance: 300ms
            """
        let (loaded, problems) = load(yaml)
        #expect(problems.isEmpty)
        let tuning = try #require(loaded?.config.tuning)
        #expect(tuning.tripInterval == .milliseconds(1500))
        #expect(tuning.releaseAllowance == .milliseconds(300))
        #expect(loaded?.sourceMap.location(of: "tuning.dead_man_switch").column == column(of: "1.5s", in: yaml))
        let (defaults, _) = load(Fixture.twoNodes)
        #expect(defaults?.config.tuning.tripInterval == .milliseconds(450))
        #expect(defaults?.config.tuning.releaseAllowance == .milliseconds(100))
    }

    @Test("a dead man switch without a unit is refused; an unknown tuning key lists the new keys")
    func badDurations() throws {
        let yaml = Fixture.twoNodes + "tuning:\n  dead_man_switch: 600\n  dead_man: 1s\n"
        let (loaded, problems) = load(yaml)
        #expect(loaded == nil)
        let unit = try #require(single(problems, containing: "tuning.dead_man_switch is '600' without a unit"))
        #expect(unit.message.contains("600ms or 600s"))
        #expect(unit.location.line == line(of: "dead_man_switch: 600", in: yaml))
        let key = try #require(single(problems, containing: "unknown key 'dead_man' in tuning"))
        #expect(key.message.hasSuffix("allowed keys: preset, heartbeat, config_too_long, dead_man_switch, release_allowance, observers, hardware_watchdog"))
    }

    @Test("observers is read as a whole number, 4 when left out; verify refuses fewer than 2, naming the line")
    func observers() throws {
        let (loaded, problems) = load(Fixture.twoNodes + "tuning:\n  observers: 6\n")
        #expect(problems.isEmpty)
        #expect(loaded?.config.tuning.observers == 6)
        #expect(load(Fixture.twoNodes).0?.config.tuning.observers == 4)
        let yaml = Fixture.twoNodes + "tuning:\n  observers: 1\n"
        let one = try #require(load(yaml).0)
        let errors = Verifier.verify(one).filter { $0.severity == .error }
        let range = try #require(errors.first { $0.message.hasPrefix("observers is 1; it must be from 2 to 64") })
        #expect(range.location.line == line(of: "observers: 1", in: yaml))
        let (_, words) = load(Fixture.twoNodes + "tuning:\n  observers: many\n")
        #expect(single(words, containing: "tuning.observers must be a whole number") != nil)
    }
}
