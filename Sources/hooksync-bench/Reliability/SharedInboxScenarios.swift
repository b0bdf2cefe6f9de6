import Foundation
import HookSyncCore
import HookSyncDemo
import HookSyncTesting

/// Several agents on one PostgreSQL inbox, behind a load balancer (the chaos provider sends
/// each webhook to the next agent, and to the other when one refuses the connection). The
/// verdicts come from what the provider and the recording app saw, and from the shared inbox.
extension ReliabilitySuite {
    /// How long a silent agent keeps what it holds in these scenarios.
    static let sharedFailover = Duration.seconds(3)

    /// Two agents (`name-0`, `name-1`) on a fresh database of `server`, each with `config`.
    func sharedAgents(_ name: String, server: ThrowawayPostgres, config: String) async throws -> ([AgentUnderTest], InboxQueries) {
        let location = try await server.newDatabase()
        let inbox = try ThrowawayPostgres.inboxTable(location, extra: "failover = \"\(Int(Self.sharedFailover.seconds))s\"")
        let agents = try (0..<2).map { index in
            try AgentUnderTest(bench, name: "\(name)-\(index)", config: inbox + "\n" + config, topLevel: "agent_id = \"\(name)-\(index)\"")
        }
        return (agents, .postgres(server, database: location.database))
    }

    /// Every acknowledged event stored once and delivered; what ran twice ran after a cut.
    func checkSharedInbox(
        _ result: inout ReliabilityResult,
        inbox: InboxQueries,
        acknowledged: Set<String>,
        recorder: Recorder,
        cuts: [Cut]
    ) async throws {
        let stored = try await inbox.storedEvents()
        let rows = try await inbox.storedCount()
        let missing = acknowledged.subtracting(stored)
        result.figure("stored without an acknowledgement (answer lost at a cut)", stored.subtracting(acknowledged).count)
        result.check(
            "every acknowledged event is in the shared inbox",
            missing.isEmpty,
            missing.isEmpty ? "\(acknowledged.count) of \(acknowledged.count)" : "missing \(missing.count)"
        )
        result.check("no event stored twice", rows == stored.count, "\(rows) rows, \(stored.count) ids")
        let delivered = try await inbox.events(route: "app", state: "done")
        result.check("every stored event ends delivered", delivered == stored, "\(delivered.count) of \(stored.count) done")
        let interrupted = try await inbox.interruptedAttempts(route: "app")
        result.figure("deliveries cut short (interrupted attempts)", interrupted.values.reduce(0, +))
        result.checkExactlyOnce(route: "app", expected: stored.union(acknowledged), sightings: recorder.sightings(route: "app"), cuts: cuts)
    }

    /// 1. One of two agents SIGKILLed again and again while webhooks pour in, started again each
    /// time; at the end it stays down, and the survivor must run what it had in flight.
    func sharedKill() async throws -> ReliabilityResult {
        var result = ReliabilityResult("Two agents on PostgreSQL, one killed under load", command: command("shared"))
        // The app takes 100 ms per delivery, so a kill always finds deliveries in flight.
        return try await withMocks(["app": .slow(.milliseconds(100))]) { provider, _, recorder, recorderServer in
            let (agents, inbox) = try await sharedAgents(
                "shared-kill",
                server: bench.postgres,
                config: source(mode: "webhook") + forwardRoute("app", recorder: recorderServer) + "\n[worker]\nconcurrency = 32\n"
            )
            for agent in agents { try await agent.start() }
            provider.targets(agents.map { $0.webhookURL() })
            let faults = ChaosProvider.WebhookFaults(retries: [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4)])
            let rate = sizes.killRate
            let load = Task { [provider] in try await provider.stream(rate: rate, for: .seconds(3600), faults: faults) }
            var generator = SplitMix64(seed: seed)
            let victim = agents[1]
            var downtime = Duration.zero
            for _ in 0..<(sizes.kills - 1) {
                try await Task.sleep(for: .milliseconds(Int.random(in: 300...1_500, using: &generator)))
                await victim.kill9()
                let down = ContinuousClock.now
                try await victim.start()
                downtime += .now - down
            }
            // The last kill: no restart. What the victim had in flight runs on the survivor
            // once its leases (route timeout + failover) have run out.
            try await Task.sleep(for: .milliseconds(Int.random(in: 300...1_500, using: &generator)))
            await victim.kill9()
            let lastKill = ContinuousClock.now
            try await Task.sleep(for: Self.sharedFailover + .seconds(4))
            load.cancel()
            _ = await load.result
            await provider.settle()
            let acknowledged = provider.tally.acknowledged
            let started = ContinuousClock.now
            let stored = try await inbox.storedEvents()
            let done = try await waitDelivered(stored.union(acknowledged), route: "app", recorder: recorder, inbox: inbox)
            await agents[0].stop()

            // Seen by the app: an event it received before the last kill and again after it was
            // in flight at the victim; the delay is the failover of a delivery.
            let hits = recorder.hits(route: "app")
            let before = Set(hits.filter { $0.at < lastKill }.map(\.eventID))
            let rerun = hits.filter { $0.at >= lastKill && before.contains($0.eventID) }
            let failover = rerun.map { $0.at - lastKill }.max()
            let tally = provider.tally
            result.figure("events created", tally.created)
            result.figure("events acknowledged (2xx)", acknowledged.count)
            result.figure("webhooks the load balancer sent to the other agent (connection refused)", tally.rerouted)
            result.figure("kills (SIGKILL)", victim.kills)
            result.figure("time down per kill, restart to /healthz", (downtime / max(1, victim.kills - 1)).formatted)
            result.figure("deliveries in flight at the last kill, run again by the survivor", Set(rerun.map(\.eventID)).count)
            result.figure("failover of those deliveries (last kill to the app seeing them again)", failover?.formatted ?? "–")
            result.figure("drain after the load", (done - started).formatted)
            try await checkSharedInbox(&result, inbox: inbox, acknowledged: acknowledged, recorder: recorder, cuts: agents.flatMap(\.cuts))
            result.check("at least 10 kills", victim.kills >= 10, "\(victim.kills)")
            // The lease is the route's timeout (2 s) plus failover; the survivor claims it at its
            // next pass.
            let bound = Self.sharedFailover + .seconds(2) + .seconds(2)
            result.check(
                "the survivor ran the victim's deliveries within failover + route timeout (+2 s)",
                !rerun.isEmpty && (failover ?? .zero) <= bound,
                failover.map { "\($0.formatted), bound \(bound.formatted)" } ?? "no delivery was in flight at the last kill"
            )
            return result
        }
    }

    /// 2. The poll leader killed, again and again: the other agent takes the source over from
    /// the committed cursor, so no event is lost or stored twice.
    func sharedPollLeader() async throws -> ReliabilityResult {
        var result = ReliabilityResult("Two agents on PostgreSQL, the poll leader killed", command: command("shared"))
        return try await withMocks([:]) { provider, providerServer, recorder, recorderServer in
            let interval = Duration.seconds(1)
            let (agents, inbox) = try await sharedAgents(
                "shared-leader",
                server: bench.postgres,
                config: source(mode: "poll", extra: polling(providerServer, poll: "every \(Int(interval.seconds))s"))
                    + forwardRoute("app", recorder: recorderServer)
            )
            for agent in agents { try await agent.start() }
            let rate = sizes.apiRate
            let creating = Task { [provider] in
                // Events appear in the provider's API only: no webhooks, polling finds them.
                var ids = Set<String>()
                while !Task.isCancelled {
                    ids.formUnion(provider.stripe.add(max(1, rate / 10)))
                    do { try await Task.sleep(for: .milliseconds(100)) } catch { break }
                }
                return ids
            }
            var takeovers: [Duration] = []
            var leaders: [String] = []
            for _ in 0..<max(2, sizes.kills / 4) {
                try await Task.sleep(for: .seconds(2))
                var leader: String?
                _ = try await bench.waitUntil("a poll leader", timeout: .seconds(30)) {
                    leader = try await inbox.rows("SELECT agent FROM poll_leader WHERE source = 'shop'").first?.first
                    return leader != nil
                }
                guard let agent = agents.first(where: { $0.home.name == leader }) else {
                    throw BenchError("the poll leader \(leader ?? "") is not one of the scenario's agents")
                }
                leaders.append(agent.home.name)
                await agent.kill9()
                let killed = ContinuousClock.now
                var first: ContinuousClock.Instant?
                _ = try await bench.waitUntil("another agent to poll", timeout: .seconds(60)) {
                    first = provider.tally.apiRequests.first { $0.at > killed }?.at
                    return first != nil
                }
                takeovers.append((first ?? killed) - killed)
                try await agent.start()
            }
            creating.cancel()
            let created = await creating.value
            let started = ContinuousClock.now
            let done = try await bench.waitUntil("every created event stored", timeout: .seconds(120)) {
                try await inbox.storedEvents().isSuperset(of: created)
            }
            _ = try await waitDelivered(created, route: "app", recorder: recorder, inbox: inbox)
            for agent in agents { await agent.stop() }

            result.figure("events created (API only)", created.count)
            result.figure("poll leaders killed", takeovers.count)
            result.figure("takeover, kill to the next API request (each)", takeovers.map(\.formatted).joined(separator: ", "))
            result.figure("caught up after the last kill", (done - started).formatted)
            try await checkSharedInbox(&result, inbox: inbox, acknowledged: created, recorder: recorder, cuts: agents.flatMap(\.cuts))
            let bound = Self.sharedFailover + interval + .seconds(2)
            let slowest = takeovers.max() ?? .zero
            result.check(
                "another agent polled within failover + poll interval (+2 s) each time",
                slowest <= bound,
                "slowest \(slowest.formatted), bound \(bound.formatted)"
            )
            result.check("both agents led at some point", Set(leaders).count == 2, leaders.joined(separator: ", "))
            return result
        }
    }

    /// 3. The database restarted as a crash stops it, twice, under load on two agents: they
    /// answer 503 while it is away and carry on by themselves; nothing acknowledged is lost.
    func sharedDatabaseRestart() async throws -> ReliabilityResult {
        var result = ReliabilityResult("Two agents on PostgreSQL, the database restarted under load", command: command("shared"))
        // A server of its own: it is stopped in the middle.
        let server = ThrowawayPostgres()
        return try await withMocks([:]) { provider, _, recorder, recorderServer in
            let (agents, inbox) = try await sharedAgents(
                "shared-restart",
                server: server,
                // What is under test is the database going away: a route timeout the app can
                // miss while the machine catches up after a restart would add retries of
                // deliveries the app did receive, which is the timeout's meaning, not a fault.
                config: source(mode: "webhook")
                    + forwardRoute("app", recorder: recorderServer).replacingOccurrences(of: #"timeout = "2s""#, with: #"timeout = "10s""#)
            )
            for agent in agents { try await agent.start() }
            provider.targets(agents.map { $0.webhookURL() })
            let faults = ChaosProvider.WebhookFaults(retries: [.seconds(1), .seconds(2), .seconds(4), .seconds(8)])
            let rate = sizes.killRate
            let load = Task { [provider] in try await provider.stream(rate: rate, for: .seconds(3600), faults: faults) }
            var outages: [Duration] = []
            var cuts: [Cut] = []
            for _ in 0..<2 {
                try await Task.sleep(for: .seconds(2))
                let acknowledgedBefore = provider.tally.acknowledged.count
                let down = ContinuousClock.now
                let stopped = Date()
                try await server.restart(downFor: .seconds(1))
                // Back when the provider's webhooks are acknowledged again.
                _ = try await bench.waitUntil("webhooks acknowledged again", timeout: .seconds(60)) {
                    provider.tally.acknowledged.count > acknowledgedBefore + rate / 2
                }
                outages.append(.now - down)
                // The database away, and the agents catching up until webhooks are acknowledged again.
                cuts.append(Cut(start: stopped, end: Date()))
            }
            try await Task.sleep(for: .seconds(2))
            load.cancel()
            _ = await load.result
            await provider.settle()
            let acknowledged = provider.tally.acknowledged
            _ = try await waitDelivered(acknowledged, route: "app", recorder: recorder, inbox: inbox)
            let running = agents.allSatisfy(\.isRunning)
            for agent in agents { await agent.stop() }

            let tally = provider.tally
            result.figure("events created", tally.created)
            result.figure(
                "answers",
                tally.answers.sorted { $0.key < $1.key }.map { "\($0.key == 0 ? "none" : String($0.key)): \($0.value)" }.joined(separator: ", ")
            )
            result.figure("database restarts (immediate stop, 1 s down)", outages.count)
            result.figure("restart to webhooks acknowledged again", outages.map(\.formatted).joined(separator: ", "))
            try await checkSharedInbox(&result, inbox: inbox, acknowledged: acknowledged, recorder: recorder, cuts: cuts)
            result.check("both agents kept running", running)
            result.check(
                "refusals were 503 or no answer, never another error",
                Set(tally.answers.keys).isSubset(of: [0, 200, 503]),
                "\(tally.answers)"
            )
            try await server.stop()
            return result
        }
    }

    /// 4. Events of a few customers, each customer's in occurrence order but spread over both
    /// agents: the app must see each customer's events one at a time, in that order.
    func sharedOrder() async throws -> ReliabilityResult {
        var result = ReliabilityResult("Two agents on PostgreSQL, per-key order", command: command("shared"))
        let pause = Duration.milliseconds(50)
        return try await withMocks(["app": .slow(pause)]) { provider, _, recorder, recorderServer in
            let (agents, inbox) = try await sharedAgents(
                "shared-order",
                server: bench.postgres,
                config: source(mode: "webhook") + forwardRoute("app", recorder: recorderServer, extra: "order_by = \"/data/object/customer\"")
            )
            for agent in agents { try await agent.start() }
            provider.targets(agents.map { $0.webhookURL() })
            let customers = ["cus_a", "cus_b", "cus_c", "cus_d"]
            let perCustomer = max(10, sizes.downstreamEvents / 2)
            let base = Date().addingTimeInterval(-Double(perCustomer))
            let sent = await withTaskGroup(of: (String, [String]).self) { group in
                for customer in customers {
                    group.addTask { [provider] in
                        let dates = (0..<perCustomer).map { base.addingTimeInterval(Double($0)) }
                        return (customer, await provider.createInOrder(customer: customer, at: dates, retries: [.seconds(1)]))
                    }
                }
                return await group.reduce(into: [String: [String]]()) { $0[$1.0] = $1.1 }
            }
            let acknowledged = provider.tally.acknowledged
            _ = try await waitDelivered(acknowledged, route: "app", recorder: recorder, inbox: inbox)
            for agent in agents { await agent.stop() }

            let hits = recorder.hits(route: "app").sorted { $0.at < $1.at }
            var outOfOrder: [String] = []
            var overlapping: [String] = []
            for customer in customers {
                let expected = sent[customer] ?? []
                let seen = hits.filter { Set(expected).contains($0.eventID) }
                if seen.map(\.eventID) != expected { outOfOrder.append(customer) }
                for (earlier, later) in zip(seen, seen.dropFirst()) where later.at - earlier.at < pause {
                    overlapping.append("\(earlier.eventID)/\(later.eventID)")
                }
            }
            let runsAtOnce = zip(hits, hits.dropFirst()).filter { $1.at - $0.at < pause }.count
            result.figure("customers × events", "\(customers.count) × \(perCustomer)")
            result.figure("webhooks acknowledged", acknowledged.count)
            result.figure("deliveries that began while another customer's ran", runsAtOnce)
            try await checkSharedInbox(&result, inbox: inbox, acknowledged: acknowledged, recorder: recorder, cuts: agents.flatMap(\.cuts))
            result.check("each customer's events reached the app in occurrence order", outOfOrder.isEmpty, outOfOrder.joined(separator: ", "))
            result.check(
                "never two deliveries of one customer at once, on any agent",
                overlapping.isEmpty,
                overlapping.prefix(5).joined(separator: ", ")
            )
            result.check("customers ran beside each other", runsAtOnce > 0, "\(runsAtOnce)")
            return result
        }
    }
}
