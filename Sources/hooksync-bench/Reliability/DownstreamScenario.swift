import Foundation
import GRDB
import HookSyncCore

extension ReliabilitySuite {
    /// 5. Routes whose targets fail for a while, hang past the timeout, crash, or always fail,
    /// with a SIGKILL of the agent in the middle. Retries must keep within the backoff bounds,
    /// permanent failures must end as dead letters, and nothing may be lost or doubled.
    func downstreamFaults() async throws -> ReliabilityResult {
        var result = ReliabilityResult("Downstream faults", command: command("downstream"))
        let behaviours: [String: Recorder.Behaviour] = ["flaky": .failFirst(2), "hanging": .hangFirst(1), "broken": .reject]
        return try await withMocks(behaviours) { provider, _, recorder, recorderServer in
            let home = "\(bench.directory)/downstream"
            let script = "\(home)/crash-route.sh"
            let record = "\(home)/crashing.record"
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
            try """
            #!/bin/sh
            # Dies of SIGSEGV on each event's first attempt; records the later ones.
            cat > /dev/null
            if [ "$HOOKSYNC_ATTEMPT" -le 1 ]; then kill -SEGV $$; fi
            echo "$HOOKSYNC_EVENT_ID $HOOKSYNC_ATTEMPT $(date +%s.%N)" >> "\(record)"
            """.write(toFile: script, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
            // Slots for every delivery at once: a retry then waits for its backoff only, not a slot.
            let slots = "concurrency = \(sizes.downstreamEvents)"
            let backoff = #"max_attempts = 6"# + "\n" + #"backoff = { base = "200ms", max = "800ms" }"# + "\n" + slots
            let agent = try AgentUnderTest(
                bench,
                name: "downstream",
                config: source(mode: "webhook")
                    + forwardRoute("flaky", recorder: recorderServer).replacingOccurrences(of: "max_attempts = 30", with: "#")
                    .replacingOccurrences(of: #"backoff = { base = "100ms", max = "1s" }"#, with: backoff)
                    + forwardRoute("hanging", recorder: recorderServer, extra: slots)
                    .replacingOccurrences(of: #"timeout = "2s""#, with: #"timeout = "1s""#)
                    + forwardRoute("broken", recorder: recorderServer, extra: slots).replacingOccurrences(
                        of: "max_attempts = 30",
                        with: "max_attempts = 3"
                    )
                        + """

                        [[routes]]
                        name = "crashing"
                        source = "shop"
                        exec = ["\(script)"]
                        timeout = "5s"
                        \(backoff)

                        [worker]
                        concurrency = \(4 * sizes.downstreamEvents)
                        """
            )
            try await agent.start()
            provider.target(agent.webhookURL())
            let expected = Set(provider.create(sizes.downstreamEvents))
            await provider.settle()
            // Mid-way: some deliveries retrying, some hanging, some crashing; and at least one
            // hanging attempt already given up at its timeout, for the check below to judge.
            try await Task.sleep(for: .milliseconds(700))
            _ = try await bench.waitUntil("a hanging attempt to time out", timeout: .seconds(60)) {
                recorder.hits(route: "hanging").contains { $0.attempt >= 2 }
            }
            await agent.kill9()
            try await agent.start()
            let restarted = ContinuousClock.now
            let done = try await bench.waitUntil("every delivery settled", timeout: .seconds(300)) {
                let open = try await agent.queries.openDeliveries()
                let all = try agent.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM delivery") ?? 0 }
                return open == 0 && all == 4 * expected.count
            }
            await agent.stop()

            result.figure("events", expected.count)
            result.figure(
                "routes",
                "flaky (500 twice, then 200), hanging (first attempt outlives the 1 s timeout), crashing (exec, SIGSEGV on the first attempt), broken (500 always)"
            )
            result.figure("kills (SIGKILL)", agent.kills)
            result.figure("time to settle after the restart", (done - restarted).formatted)
            for route in ["flaky", "hanging"] {
                result.checkExactlyOnce(route: route, expected: expected, sightings: recorder.sightings(route: route), cuts: agent.cuts, label: route)
            }
            // The crashing route's program notes each run it survives, with the time it finished.
            let crashed = try String(contentsOfFile: record, encoding: .utf8)
            var crashSightings: [String: [Sighting]] = [:]
            for line in crashed.split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count == 3, let finished = Double(fields[2]) else { throw BenchError("crashing.record: unreadable line \(line)") }
                let at = Date(timeIntervalSince1970: finished)
                crashSightings[String(fields[0]), default: []].append(Sighting(arrived: at, answered: at))
            }
            result.checkExactlyOnce(route: "crashing", expected: expected, sightings: crashSightings, cuts: agent.cuts, label: "crashing")
            let dead = try await agent.queries.events(route: "broken", state: "dead")
            // A kill's interrupted attempt is run again, so it does not use up one of the three.
            let deadLetters = try agent.read { db in
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT COUNT(*) FROM dead_letter l JOIN delivery d ON d.id = l.delivery_id
                        WHERE d.route = 'broken'
                          AND (SELECT COUNT(*) FROM attempt a WHERE a.delivery_id = d.id AND a.outcome != 'interrupted') = 3
                        """
                ) ?? 0
            }
            result.figure("dead letters (broken)", deadLetters)
            result.check(
                "every delivery to the broken route ends as a dead letter after 3 completed attempts",
                dead == expected && deadLetters == expected.count,
                "\(deadLetters) of \(expected.count)"
            )
            // As the app saw it: three attempts, plus one for each time the kill fell between two.
            var mostBrokenHits = 0
            var overTried: [String] = []
            for (id, hits) in Dictionary(grouping: recorder.hits(route: "broken"), by: \.eventID) {
                let copies = hits.map(\.sighting).sorted { $0.arrived < $1.arrived }
                let acrossTheKill = zip(copies, copies.dropFirst()).filter { Cut.explaining($0, $1, among: agent.cuts) != nil }.count
                mostBrokenHits = max(mostBrokenHits, hits.count)
                if hits.count > 3 + acrossTheKill { overTried.append(id) }
            }
            result.check(
                "the broken route was reached at most 3 times per event, plus once across the kill",
                overTried.isEmpty,
                "most \(mostBrokenHits)"
            )
            // The hanging route's first attempts are held open for 120 s: the agent must give up
            // on each at its 1 s timeout, not before, and try again while the app still holds it.
            // Pairs with the kill between them are the kill's doing, not the timeout's.
            var timedOut = 0
            var early: [String] = []
            for (id, hits) in Dictionary(grouping: recorder.hits(route: "hanging"), by: \.eventID) {
                let ordered = hits.sorted { $0.arrived < $1.arrived }
                for (held, next) in zip(ordered, ordered.dropFirst())
                where held.answered == nil && Cut.explaining(held.sighting, next.sighting, among: agent.cuts) == nil {
                    let gap = next.arrived.timeIntervalSince(held.arrived)
                    if gap >= 1 { timedOut += 1 } else { early.append(String(format: "%@ after %.2f s", id, gap)) }
                }
            }
            result.check(
                "the hanging route hit its 1 s timeout: each new attempt came at least 1 s after a held one, while the app still held it",
                timedOut > 0 && early.isEmpty,
                early.isEmpty ? "\(timedOut) timeouts" : "retried early: \(early.prefix(3).joined(separator: ", "))"
            )
            // The kill must have found deliveries in progress at the app, or it proved nothing.
            let kill = agent.cuts.first?.start ?? .distantPast
            let openAtKill = ["flaky", "hanging", "broken"].flatMap { recorder.hits(route: $0) }.filter {
                $0.arrived <= kill && ($0.answered ?? .distantFuture) > kill
            }
            result.check(
                "the kill cut deliveries short, as the app saw it: requests still open at the kill",
                !openAtKill.isEmpty,
                "\(openAtKill.count)"
            )

            // Full jitter after the n-th failure: between base and min(max, base·2ⁿ⁻¹), plus the
            // time to claim; waits that span the kill are left out.
            var checked = 0
            var outside: [String] = []
            let hits = recorder.hits(route: "flaky").sorted { $0.at < $1.at }
            for (_, attempts) in Dictionary(grouping: hits, by: \.eventID) {
                for (earlier, later) in zip(attempts, attempts.dropFirst())
                where Cut.explaining(earlier.sighting, later.sighting, among: agent.cuts) == nil {
                    guard later.attempt == earlier.attempt + 1 else { continue }
                    let wait = (later.at - earlier.at).seconds
                    let upper = min(0.8, 0.2 * pow(2, Double(earlier.attempt - 1)))
                    checked += 1
                    if wait < 0.2 || wait > upper + 0.5 { outside.append(String(format: "%.2f s after attempt %d", wait, earlier.attempt)) }
                }
            }
            result.figure("retry waits checked against the backoff bounds", checked)
            result.check(
                "every retry wait is within the backoff bounds (0.2 s to min(0.8 s, 0.2 s·2ⁿ⁻¹), +0.5 s to claim)",
                checked > 0 && outside.isEmpty,
                outside.prefix(5).joined(separator: "; ")
            )
            return result
        }
    }
}
