/// A setup command that could not do what was asked: one line saying why (exit status 1).
struct SetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
