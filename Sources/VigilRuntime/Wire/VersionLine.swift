import VigilModel

extension VigilVersion {
    /// The line `vigil --version` and `vigild --version` print, e.g. `vigil 0.9.0 (packet format 2)`:
    /// the release and the packet format it speaks on the wire, which decides whether two
    /// releases can be members of one cluster.
    public static func versionLine(program: String) -> String {
        "\(program) \(release) (packet format \(PacketCodec.formatVersion))"
    }
}
