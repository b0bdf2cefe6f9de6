import Foundation
import GRDB
import HookSyncCore
import HookSyncDemo

extension ReliabilitySuite {
    /// 2. Webhooks dropped, repeated 2–3 times, delayed and reordered; a hybrid source's polling
    /// fills every gap. The route must get exactly the events the provider created, each once;
    /// the agent must count as missed exactly the webhooks that never reached it, and be seen
    /// degraded while they go missing and recovered once they stop.
    func unreliablePush() async throws -> ReliabilityResult {
        var result = ReliabilityResult("Unreliable push, hybrid polling fills the gaps", command: command("push"))
        return try await withMocks([:]) { provider, providerServer, recorder, recorderServer in
            // `grace` outlasts the longest delay of a webhook copy: a webhook is missed only when
            // none of its copies reaches the agent.
            let agent = try AgentUnderTest(
                bench,
                name: "push",
                config: source(
                    mode: "hybrid",
                    extra: polling(providerServer, poll: "every 2s", extra: "grace = \"5s\"\nfallback_poll = \"1s\"\nrecover_after = 2")
                ) + forwardRoute("app", recorder: recorderServer)
            )
            try await agent.start()
            let health = MetricWatch(bench: bench, port: agent.port, sample: #"hooksync_source_degraded{source="shop"}"#)
            provider.target(agent.webhookURL())

            let faults = ChaosProvider.WebhookFaults(drop: 0.2, duplicate: 0.2, maxDelay: .seconds(2))
            try await provider.stream(rate: Int(Double(sizes.pushEvents) / sizes.pushSeconds), for: .seconds(sizes.pushSeconds), faults: faults)
            let created = ContinuousClock.now
            await provider.settle()
            let expected = Set(provider.stripe.ids)
            let done = try await waitDelivered(expected, route: "app", recorder: recorder, inbox: agent.queries)
            // The last missing webhooks are judged once their grace ran out; clean passes then
            // bring the source back. Late repeats have had those passes to show up.
            let recovered = try await bench.waitUntil("the source seen recovered", timeout: .seconds(120)) {
                let seen = health.seen
                return seen.contains(1) && seen.last == 0
            }
            let metrics = try await agent.metrics()
            let status = try JSONSerialization.jsonObject(with: Data(try await agent.cli(["status", "--json"]).utf8)) as? [String: Any]
            let sources = status?["sources"] as? [[String: Any]]
            let polling = sources?.first { $0["name"] as? String == "shop" }?["polling"] as? [String: Any]
            await agent.stop()
            await health.stop()

            let tally = provider.tally
            let stored = try await agent.queries.storedEvents()
            let polled = try agent.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event WHERE origin = 'poll'") ?? 0 }
            let unheard = expected.subtracting(tally.acknowledged).count
            let counted = metrics[#"hooksync_missed_webhooks_total{source="shop"}"#].map { Int($0) }
            let shown = polling?["missed_webhooks"] as? Int
            result.figure("events created", tally.created)
            result.figure("webhooks dropped", tally.dropped)
            result.figure("events none of whose webhooks the agent acknowledged", unheard)
            result.figure("events sent 2–3 times", tally.duplicated)
            result.figure("webhook requests sent (each after a random 0–2 s delay, so out of order)", tally.sends)
            result.figure("events first stored by polling", polled)
            result.figure(
                "missed webhooks counted by the agent (metric, status)",
                "\(counted.map(String.init) ?? "none"), \(shown.map(String.init) ?? "none")"
            )
            result.figure("source health seen at /metrics (1 = degraded)", health.seen.map { String(Int($0)) }.joined(separator: " → "))
            result.figure("API pages read", tally.apiRequests.count)
            result.figure("time to catch up after the last event was created", (done - created).formatted)
            result.figure("time until seen recovered after the last event was created", (recovered - created).formatted)
            result.check("the inbox holds exactly the created events", stored == expected, "\(stored.count) stored, \(expected.count) created")
            result.check("polling stored at least every dropped event", polled >= tally.dropped, "\(polled) ≥ \(tally.dropped)")
            result.check(
                "the agent counted as missed exactly the webhooks that never reached it, in its metric and in status",
                counted == unheard && shown == unheard,
                "metric \(counted.map(String.init) ?? "none"), status \(shown.map(String.init) ?? "none"), never reached \(unheard)"
            )
            result.check(
                "the source was seen degraded once, then recovered, without flapping",
                Array(health.seen.drop { $0 == 0 }) == [1, 0] && polling?["health"] as? String == "healthy",
                "\(health.seen), status \(polling?["health"] as? String ?? "none")"
            )
            result.checkExactlyOnce(route: "app", expected: expected, sightings: recorder.sightings(route: "app"))
            return result
        }
    }

    /// 3. The agent is down while the provider creates events and its webhook retries fail;
    /// started again, it backfills from its cursor.
    func outage() async throws -> ReliabilityResult {
        var result = ReliabilityResult("Outage, backfill from the cursor", command: command("outage"))
        return try await withMocks([:]) { provider, providerServer, recorder, recorderServer in
            let agent = try AgentUnderTest(
                bench,
                name: "outage",
                config: source(mode: "hybrid", extra: polling(providerServer, poll: "every 1s"))
                    + forwardRoute("app", recorder: recorderServer)
            )
            try await agent.start()
            provider.target(agent.webhookURL())
            let before = Set(provider.create(sizes.outageBefore))
            await provider.settle()
            _ = try await waitDelivered(before, route: "app", recorder: recorder, inbox: agent.queries)
            // A pass after the last event, so the cursor is at the newest event when the agent stops.
            let polledBefore = provider.tally.apiRequests.count
            _ = try await bench.waitUntil("a poll pass", timeout: .seconds(30)) { provider.tally.apiRequests.count > polledBefore }
            try await Task.sleep(for: .milliseconds(200))
            await agent.stop()
            let retries = ChaosProvider.WebhookFaults(retries: [.milliseconds(200), .milliseconds(500), .seconds(1)])
            let during = Set(provider.create(sizes.outageDuring, faults: retries))
            await provider.settle()
            let failedWhileDown = provider.tally.failedSends
            let gaveUp = provider.tally.gaveUp
            let servedBefore = provider.tally.apiRequests.reduce(0) { $0 + $1.events }

            let restarted = ContinuousClock.now
            try await agent.start()
            let done = try await waitDelivered(before.union(during), route: "app", recorder: recorder, inbox: agent.queries)
            await agent.stop()

            let served = provider.tally.apiRequests.reduce(0) { $0 + $1.events } - servedBefore
            result.figure("events before the outage", before.count)
            result.figure("events created while the agent was down", during.count)
            result.figure("webhook requests that failed while down (each event tried 4 times)", failedWhileDown)
            result.figure("webhooks the provider gave up on", gaveUp)
            result.figure("events the API served after the restart", served)
            result.figure("time to catch up, from the restart to the last delivery", (done - restarted).formatted)
            result.check("the provider gave up on every webhook sent during the outage", gaveUp == during.count, "\(gaveUp) of \(during.count)")
            // Resuming from the cursor reads only what is new.
            result.check(
                "the restart read from the cursor, not the whole history",
                served == during.count,
                "\(served) events served for \(during.count) new"
            )
            let stored = try await agent.queries.storedEvents()
            result.check("the inbox holds exactly the created events", stored == before.union(during), "\(stored.count) stored")
            result.checkExactlyOnce(route: "app", expected: before.union(during), sightings: recorder.sightings(route: "app"))
            return result
        }
    }

    /// 4. The event API fails every other request (500, 429 with Retry-After, truncated JSON,
    /// a slow answer, a connection cut mid-answer) while events keep coming; then it recovers.
    func providerAPIFaults() async throws -> ReliabilityResult {
        var result = ReliabilityResult("Provider API faults", command: command("api"))
        return try await withMocks([:]) { provider, providerServer, recorder, recorderServer in
            let agent = try AgentUnderTest(
                bench,
                name: "api",
                config: source(mode: "poll", extra: polling(providerServer, poll: "every 1s"))
                    + forwardRoute("app", recorder: recorderServer)
            )
            provider.apiFaults(true)
            try await agent.start()
            // Poll-only: nothing is pushed.
            let silent = ChaosProvider.WebhookFaults(drop: 1)
            let rate = sizes.apiRate
            let load = Task { [provider] in try await provider.stream(rate: rate, for: .seconds(3600), faults: silent) }
            // At least the scenario's time, and until each kind of fault was served `faultRounds` times.
            let earliestEnd = ContinuousClock.now + .seconds(sizes.apiSeconds)
            _ = try await bench.waitUntil("every kind of API fault", timeout: .seconds(600)) {
                let served = provider.tally.apiRequests.compactMap(\.fault)
                return ContinuousClock.now >= earliestEnd && served.count >= ChaosProvider.APIFault.allCases.count * sizes.faultRounds
            }
            load.cancel()
            _ = await load.result
            provider.apiFaults(false)
            let recovered = ContinuousClock.now
            let expected = Set(provider.stripe.ids)
            let done = try await waitDelivered(expected, route: "app", recorder: recorder, inbox: agent.queries)
            await agent.stop()

            let requests = provider.tally.apiRequests
            var injected: [ChaosProvider.APIFault: Int] = [:]
            for request in requests { if let fault = request.fault { injected[fault, default: 0] += 1 } }
            result.figure("events created while the API failed", expected.count)
            result.figure("API requests", requests.count)
            for fault in ChaosProvider.APIFault.allCases { result.figure("faults injected: \(fault.rawValue)", injected[fault, default: 0]) }
            result.figure("time to catch up once the API recovered", (done - recovered).formatted)
            result.check(
                "every kind of fault was injected",
                ChaosProvider.APIFault.allCases.allSatisfy { injected[$0, default: 0] > 0 },
                injected.map { "\($0.key.rawValue) \($0.value)" }.sorted().joined(separator: ", ")
            )
            // The next request after a 429 must wait at least its Retry-After, which is longer
            // than any wait the poller would make of its own here.
            let gaps = zip(requests, requests.dropFirst()).filter { $0.0.fault == .rateLimited }.map { ($0.1.at - $0.0.at).seconds }
            let shortest = gaps.min() ?? 0
            result.check(
                "each 429's Retry-After (\(Int(ChaosProvider.retryAfter.seconds)) s) was honoured",
                !gaps.isEmpty && shortest >= ChaosProvider.retryAfter.seconds,
                "shortest wait \(String(format: "%.2f", shortest)) s"
            )
            let stored = try await agent.queries.storedEvents()
            result.check("no page skipped: the inbox holds exactly the created events", stored == expected, "\(stored.count) of \(expected.count)")
            result.checkExactlyOnce(route: "app", expected: expected, sightings: recorder.sightings(route: "app"))
            return result
        }
    }
}
