// The wire messages are `Codable` so that the runtime can put them on the wire (VigilRuntime's
// `WireCodec`). Coding is pure: no I/O, no clock, nothing random.
//
// Where the conformance is declared, and why:
// - Structs and enums with stored members or associated values (`Envelope`, `Message`, `Heartbeat`,
//   `ClusterState`, `MemberReport`, `ClusterEvent`, ...) declare `Codable` on their own declaration:
//   Swift synthesises `Codable` only in the file that declares the type, and synthesis keeps the
//   coding in step with every field added later, which a hand-written coder here would not.
// - The types below need no synthesis (a raw value, or a hand-written single value), so their
//   conformances live here.

extension GroupState: Codable {}
extension ClusterEvent.Departure: Codable {}
extension RecoveryRound.Kind: Codable {}

/// A moment is coded as its duration since the origin (`Duration` codes as two 64-bit integers,
/// seconds and attoseconds of its 128-bit value).
extension Moment: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(Duration.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(sinceOrigin)
    }
}
