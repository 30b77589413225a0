/// A configuration's text read and verified as `vigil sync` takes it: loaded, then checked by
/// `Verifier`, and (given the running cluster's id) keeping that id, since every packet is
/// authenticated with it. Pure: the text comes in, the configuration or the errors go out.
public enum VerifiedText {
    /// Why a text was refused: every error found, each naming `file`, line and field.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public var errors: [String]
        public var description: String { errors.joined(separator: "\n") }
    }

    /// The configuration of `text`, or every error it has.
    public static func configuration(_ text: String, file: String, clusterID: Int? = nil) -> Result<
        ClusterConfig, Refusal
    > {
        let (loaded, diagnostics) = ConfigLoader.load(yaml: text, file: file)
        var errors = diagnostics.filter { $0.severity == .error }
        if let loaded { errors += Verifier.verify(loaded).filter { $0.severity == .error } }
        guard errors.isEmpty, let config = loaded?.config else {
            return .failure(Refusal(errors: errors.map(\.description)))
        }
        if let clusterID, config.id != clusterID {
            return .failure(
                Refusal(errors: [
                    "\(file): the cluster id is \(config.id), not \(clusterID) as the running cluster's: a cluster's "
                        + "id cannot change by sync"
                ]))
        }
        return .success(config)
    }
}
