import Foundation

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
    /// second time only across a cut the scenario made (a kill, or the database away): the
    /// agent cannot know whether an attempt it could not record reached the route, so it runs
    /// it again. Judged from what the app saw (`sightings`, processed copies only) and when
    /// the cuts happened; each repeat is counted by what the app saw of the copy before it:
    /// still being answered at the cut, or answered before it with the outcome not yet committed.
    mutating func checkExactlyOnce(
        route: String,
        expected: Set<String>,
        sightings: [String: [Sighting]],
        cuts: [Cut] = [],
        label: String = ""
    ) {
        let missing = expected.subtracting(sightings.keys)
        let unexpected = Set(sightings.keys).subtracting(expected)
        var inFlight = 0
        var answeredBefore = 0
        var longestUncommitted = 0.0
        var unexplained: [String] = []
        var example = ""
        for (id, copies) in sightings where copies.count > 1 {
            let ordered = copies.sorted { $0.arrived < $1.arrived }
            for (earlier, later) in zip(ordered, ordered.dropFirst()) {
                guard let cut = Cut.explaining(earlier, later, among: cuts) else {
                    if unexplained.isEmpty {
                        // Where the two copies fell, against the cut nearest the first.
                        let nearest = cuts.min { abs($0.start.timeIntervalSince(earlier.arrived)) < abs($1.start.timeIntervalSince(earlier.arrived)) }
                        let offsets = [earlier.arrived, earlier.answered, later.arrived].map { date in
                            nearest.map { String(format: "%+.3f s", date.timeIntervalSince($0.start)) } ?? "-"
                        }
                        example =
                            " (\(id): first copy arrived \(offsets[0]) from the nearest cut, answered \(offsets[1]); the next arrived \(offsets[2]))"
                    }
                    unexplained.append(id)
                    continue
                }
                if earlier.answered >= cut.start {
                    inFlight += 1
                } else {
                    answeredBefore += 1
                    longestUncommitted = max(longestUncommitted, cut.start.timeIntervalSince(earlier.answered))
                }
            }
        }
        let prefix = label.isEmpty ? "" : "\(label): "
        figure("\(prefix)events lost", missing.count)
        figure("\(prefix)duplicates delivered", inFlight + answeredBefore + unexplained.count)
        if inFlight + answeredBefore > 0 {
            figure("\(prefix)repeats of a copy the app was still answering at a cut", inFlight)
            figure(
                "\(prefix)repeats of a copy the app had answered before a cut (outcome not yet committed), at most this long before it",
                String(format: "%d, %.0f ms", answeredBefore, longestUncommitted * 1000)
            )
        }
        check(
            "\(prefix)every expected event reached route \(route)",
            missing.isEmpty,
            missing.isEmpty ? "\(expected.count) of \(expected.count)" : "missing \(missing.count): \(missing.sorted().prefix(5))"
        )
        check(
            "\(prefix)no event reached route \(route) twice, except across a cut (a kill or the database away), as the app saw it",
            unexplained.isEmpty,
            unexplained.isEmpty
                ? "\(inFlight + answeredBefore) repeats, each across a cut"
                : "doubled \(Set(unexplained).count): \(Set(unexplained).sorted().prefix(5))\(example)"
        )
        check(
            "\(prefix)route \(route) saw no event the provider did not create",
            unexpected.isEmpty,
            unexpected.isEmpty ? "" : "unexpected: \(unexpected.sorted().prefix(5))"
        )
    }
}
