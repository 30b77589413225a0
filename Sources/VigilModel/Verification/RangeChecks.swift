/// Numbers against the bottom of their range. (The loader has refused every number beyond what its
/// field could mean, see `ConfigLimits`; heartbeats, timeouts and retries are checked with the
/// timing settings.)
extension Verifier {
    /// The cluster id is a positive 32-bit number.
    static func checkClusterID(_ context: VerifyContext) -> [Diagnostic] {
        let id = context.config.id
        guard !ConfigLimits.clusterID.contains(id) else { return [] }
        return [
            context.error(
                "cluster.id",
                """
                cluster id \(id) is out of range: it must be \(ConfigLimits.describe(ConfigLimits.clusterID)), \
                the same on every node and different from any other cluster on the same networks
                """)
        ]
    }
}
