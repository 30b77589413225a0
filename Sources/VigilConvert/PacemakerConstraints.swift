/// Location, colocation and ordering constraints of a CIB.
extension PacemakerBuilder {
    mutating func readConstraints(_ section: XMLElement) {
        for constraint in section.children {
            let id = constraint["id"] ?? ""
            if constraint.child("resource_set") != nil {
                note(.notConverted, constraint.line, "\(constraint.name) \(id) with resource sets is not converted")
                continue
            }
            switch constraint.name {
            case "rsc_location": readLocation(constraint, id: id)
            case "rsc_colocation": readColocation(constraint, id: id)
            case "rsc_order": readOrder(constraint, id: id)
            default:
                note(
                    .notConverted, constraint.line, "\(constraint.name) \(id) is not converted: it has no Vigil meaning"
                )
            }
        }
    }

    /// `<rsc_location rsc= node= score=>`: the node's preference for the resource's group.
    mutating func readLocation(_ constraint: XMLElement, id: String) {
        guard constraint.child("rule") == nil, constraint["rsc-pattern"] == nil, constraint["role"] == nil,
            let resource = constraint["rsc"], let node = constraint["node"],
            let score = PacemakerCIB.score(constraint["score"])
        else {
            note(
                .notConverted, constraint.line,
                "rsc_location \(id) is not converted: only a resource's score for "
                    + "a named node is (no rules, patterns or roles); order the group's nodes by hand")
            return
        }
        guard let index = unit(of: resource) else {
            note(.notConverted, constraint.line, "rsc_location \(id) names \(resource), which is not converted")
            return
        }
        let name = ConvertedNames.identifier(node, fallback: "node")
        let previous = units[index].scores[name] ?? 0
        units[index].scores[name] = max(-PacemakerCIB.infinity, min(PacemakerCIB.infinity, previous + score))
    }

    /// A mandatory colocation (`INFINITY`) puts both in one group; others are not converted.
    mutating func readColocation(_ constraint: XMLElement, id: String) {
        guard let resource = constraint["rsc"], let with = constraint["with-rsc"],
            let score = PacemakerCIB.score(constraint["score"])
        else {
            note(.notConverted, constraint.line, "rsc_colocation \(id) is not converted: it needs rsc, with-rsc, score")
            return
        }
        guard score == PacemakerCIB.infinity, constraint["rsc-role"] == nil, constraint["with-rsc-role"] == nil else {
            let why =
                score < 0
                ? "Vigil places groups apart only by their node order (put different first nodes)"
                : "only a mandatory (INFINITY) colocation without roles has a Vigil meaning: one group"
            note(.notConverted, constraint.line, "rsc_colocation \(id) is not converted: \(why)")
            return
        }
        guard let from = unit(of: resource), let into = unit(of: with) else {
            note(.notConverted, constraint.line, "rsc_colocation \(id) names a resource that is not converted")
            return
        }
        guard from != into else { return }
        guard units[from].concurrent == units[into].concurrent else {
            note(
                .notConverted, constraint.line,
                "rsc_colocation \(id) is not converted: it joins a clone and a "
                    + "resource that runs on one node")
            return
        }
        units[into].primitives += units[from].primitives
        units[into].ids.formUnion(units[from].ids)
        units[into].scores.merge(units[from].scores) { $0 + $1 }
        units[from].mergedInto = into
        note(.assumed, constraint.line, "rsc_colocation \(id): \(resource) joins the group \(units[into].name)")
    }

    /// Ordering within a group is Vigil's own (storage, filesystems, addresses, applications in
    /// their order); between groups it has no Vigil meaning.
    mutating func readOrder(_ constraint: XMLElement, id: String) {
        guard let first = constraint["first"], let then = constraint["then"],
            let a = unit(of: first), let b = unit(of: then), a == b
        else {
            note(
                .notConverted, constraint.line,
                "rsc_order \(id) is not converted: Vigil starts each group by itself, "
                    + "in its own order (storage, filesystems, addresses, applications)")
            return
        }
        note(
            .assumed, constraint.line,
            "rsc_order \(id): within group \(units[a].name), Vigil's order applies "
                + "(storage, filesystems, addresses, applications in their listed order)")
    }
}
