/// Reading the parts of a Pacemaker CIB (`cibadmin --query`) the mapping needs: name-value pairs of
/// attribute sets, operation timings, and scores. Pacemaker's schema: Pacemaker Explained,
/// "Cluster Information Base"; only `<configuration>` is read (`<status>` is the running state).
enum PacemakerCIB {
    /// A score's value: `INFINITY` (and `+INFINITY`) is `infinity`, `-INFINITY` its negative.
    static let infinity = 1_000_000

    static func score(_ text: String?) -> Int? {
        guard let text else { return nil }
        switch text.uppercased() {
        case "INFINITY", "+INFINITY": return infinity
        case "-INFINITY": return -infinity
        default: return Int(text).map { max(-infinity, min(infinity, $0)) }
        }
    }

    /// The name-value pairs of an element's attribute sets of kind `set` (`instance_attributes`,
    /// `meta_attributes`, `cluster_property_set`), in order; sets with a rule are returned apart,
    /// for a note.
    static func pairs(of element: XMLElement, set: String) -> (values: [String: String], ruled: [XMLElement]) {
        var values: [String: String] = [:]
        var ruled: [XMLElement] = []
        for attributeSet in element.children(set) {
            if attributeSet.child("rule") != nil {
                ruled.append(attributeSet)
                continue
            }
            for pair in attributeSet.children("nvpair") {
                if let name = pair["name"], values[name] == nil { values[name] = pair["value"] ?? "" }
            }
        }
        return (values, ruled)
    }

    /// A Pacemaker interval or timeout: a number with an optional unit (`ms`, `s`, `sec`, `m`,
    /// `min`, `h`, `hr`; none is seconds), as `crm_get_msec` reads it; nil when it is not one or is
    /// beyond a day.
    static func duration(_ text: String?) -> Duration? {
        guard let text = text?.trimmingWhitespace, !text.isEmpty else { return nil }
        let digits = text.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        let unit = text.dropFirst(digits.count).trimmingWhitespace.lowercased()
        let perUnit: [String: Double] = [
            "": 1000, "s": 1000, "sec": 1000, "ms": 1, "msec": 1, "m": 60_000, "min": 60_000, "h": 3_600_000,
            "hr": 3_600_000,
        ]
        guard let number = Double(digits), let factor = perUnit[unit] else { return nil }
        let milliseconds = number * factor
        guard milliseconds.isFinite, milliseconds <= 86_400_000 else { return nil }
        return .milliseconds(Int64(milliseconds.rounded()))
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
