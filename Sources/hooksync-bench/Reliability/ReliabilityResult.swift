/// One scenario's figures and checks, as `docs/reliability.md` shows them.
struct ReliabilityResult: Sendable {
    struct Check: Sendable {
        var claim: String
        var passed: Bool
        var detail: String
    }

    var name: String
    var command: String
    /// Label and value, in the report's order.
    var figures: [(String, String)] = []
    var checks: [Check] = []

    init(_ name: String, command: String) {
        self.name = name
        self.command = command
    }

    var passed: Bool { checks.allSatisfy(\.passed) }

    mutating func figure(_ label: String, _ value: Any) {
        figures.append((label, "\(value)"))
    }

    mutating func check(_ claim: String, _ passed: Bool, _ detail: String = "") {
        checks.append(Check(claim: claim, passed: passed, detail: detail))
    }

    /// The promise each scenario checks: every expected event processed by `route`, and a
    /// second time only where a kill cut an attempt short (the agent cannot know whether the
    /// cut attempt reached the route, so it runs it again).
    mutating func checkExactlyOnce(
        route: String,
        expected: Set<String>,
        accepted: [String: Int],
        interrupted: [String: Int] = [:],
        label: String = ""
    ) {
        let missing = expected.subtracting(accepted.keys)
        let unexpected = Set(accepted.keys).subtracting(expected)
        var explained = 0
        var unexplained: [String] = []
        for (id, count) in accepted where count > 1 {
            if count - 1 <= interrupted[id, default: 0] { explained += count - 1 } else { unexplained.append(id) }
        }
        let prefix = label.isEmpty ? "" : "\(label): "
        figure("\(prefix)events lost", missing.count)
        figure("\(prefix)duplicates delivered", explained + unexplained.count)
        check(
            "\(prefix)every expected event reached route \(route)",
            missing.isEmpty,
            missing.isEmpty ? "\(expected.count) of \(expected.count)" : "missing \(missing.count): \(missing.sorted().prefix(5))"
        )
        check(
            "\(prefix)no event reached route \(route) twice, except after an attempt a kill cut short",
            unexplained.isEmpty,
            unexplained.isEmpty ? "\(explained) repeats, each after an interrupted attempt" : "doubled: \(unexplained.sorted().prefix(5))"
        )
        check(
            "\(prefix)route \(route) saw no event the provider did not create",
            unexpected.isEmpty,
            unexpected.isEmpty ? "" : "unexpected: \(unexpected.sorted().prefix(5))"
        )
    }
}
