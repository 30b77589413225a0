/// Thrown by an `AdminHandler` when the cluster cannot carry a command out now (unstable, a node
/// unreachable, an unknown group). The reason goes to the administrator as `vigil: refused: REASON`;
/// a handler throws it before changing anything.
public struct AdminRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
