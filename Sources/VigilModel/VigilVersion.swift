/// The release of Vigil these binaries belong to: one constant for `vigil --version`,
/// `vigild --version` and the Debian package (`scripts/package` reads it from the built binary).
///
/// Below 1.0 while issue 16 ("Installable as a Linux service") and the issues after it are open.
/// The wire's own version is `PacketCodec.formatVersion` (VigilRuntime), which `versionLine`
/// adds: two releases with the same packet format can run in one cluster.
public enum VigilVersion {
    /// The release, `MAJOR.MINOR.PATCH` (also the Debian package's upstream version).
    public static let release = "0.9.0"
}
