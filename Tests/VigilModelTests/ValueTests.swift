import Testing
@testable import VigilModel

@Suite("IPv4Address, DurationText, DetectionTimes")
struct ValueTests {
    @Test("dotted quads parse and print; anything else is refused", arguments: [
        ("192.168.1.186", UInt32(0xC0A8_01BA)), ("0.0.0.0", 0), ("255.255.255.255", 0xFFFF_FFFF),
    ])
    func parsesAddresses(text: String, value: UInt32) {
        #expect(IPv4Address(text)?.value == value)
        #expect(IPv4Address(value).description == text)
    }

    @Test("malformed addresses", arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "a.b.c.d", "1.2.3.-4", "01234.1.1.1", "1.2.3.4 "])
    func refusesAddresses(text: String) {
        #expect(IPv4Address(text) == nil)
    }

    @Test("netmasks: ones then zeros, their prefix, and masking")
    func netmasks() throws {
        let mask = try #require(IPv4Address("255.255.255.0"))
        #expect(mask.isNetmask && mask.prefixLength == 24)
        #expect(IPv4Address("255.255.254.0")!.isNetmask)
        #expect(!IPv4Address("255.0.255.0")!.isNetmask)
        #expect(!IPv4Address("0.255.255.255")!.isNetmask)
        #expect(IPv4Address("9.3.187.191")!.masked(by: mask) == IPv4Address("9.3.187.0"))
    }

    @Test("durations need a unit", arguments: [
        ("200ms", Duration.milliseconds(200)), ("1s", .seconds(1)), ("1.5s", .milliseconds(1500)),
        ("2m", .seconds(120)), ("1h", .seconds(3600)), (" 0s ", .zero),
    ])
    func parsesDurations(text: String, value: Duration) {
        #expect(DurationText.parse(text) == value)
    }

    @Test("bare numbers and unknown units are refused", arguments: ["200", "", "s", "1d", "-1s", "fast", "1 s x"])
    func refusesDurations(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test("durations print as they are read")
    func formatsDurations() {
        #expect(DurationText.format(.milliseconds(250)) == "250ms")
        #expect(DurationText.format(.seconds(2)) == "2s")
        #expect(DurationText.format(.milliseconds(1500)) == "1.5s")
        #expect(DetectionTimes.seconds(.milliseconds(800)) == "0.8s")
        #expect(DetectionTimes.seconds(.seconds(2)) == "2s")
        #expect(DetectionTimes.seconds(.milliseconds(1250)) == "1.25s")
    }

    @Test("detection time is interval x missed beats; a node's is its slowest network's")
    func detectionTimes() throws {
        let (loaded, _) = load(Fixture.twoNodes + "tuning:\n  heartbeat:\n    disk: {interval: 1s, missed_beats: 3}\n")
        let times = DetectionTimes(try #require(loaded).config)
        #expect(times.networks.map(\.detection) == [.milliseconds(600), .seconds(3)])
        #expect(times.nodes.map(\.detection) == [.seconds(3), .seconds(3)])
    }
}
