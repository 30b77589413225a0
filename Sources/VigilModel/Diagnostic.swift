/// One finding of `verify` or of the loader: an error (the configuration cannot be used) or a
/// warning (it can, but probably not as meant). Printed as `FILE:LINE:COLUMN: error: MESSAGE`.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Equatable { case error, warning }

    public var severity: Severity
    public var location: SourceLocation
    /// What is wrong, naming the field, and how to fix it.
    public var message: String

    public init(_ severity: Severity, at location: SourceLocation, _ message: String) {
        self.severity = severity
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(severity.rawValue): \(message)" }
}
