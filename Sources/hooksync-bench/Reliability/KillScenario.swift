import Foundation
import HookSyncCore

extension ReliabilitySuite {
    /// 1. SIGKILL at random moments while signed webhooks pour in; the agent is started again
    /// each time. Every acknowledged event must be stored and delivered, and the route may see
    /// an event twice only where a kill cut its delivery short.
    func killUnderLoad() async throws -> ReliabilityResult {
        var result = ReliabilityResult("Kill -9 under load", command: command("kill"))
        return try await withMocks([:]) { provider, providerServer, recorder, recorderServer in
            let agent = try AgentUnderTest(
                bench,
                name: "kill",
                config: source(mode: "webhook") + forwardRoute("app", recorder: recorderServer) + "\n[worker]\nconcurrency = 32\n"
            )
            try await agent.start()
            provider.target(agent.webhookURL())

            // Stripe retries an unanswered webhook; here within seconds, not hours.
            let faults = ChaosProvider.WebhookFaults(retries: [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4)])
            let rate = sizes.killRate
            let load = Task { [provider] in try await provider.stream(rate: rate, for: .seconds(3600), faults: faults) }
            var generator = SplitMix64(seed: seed)
            var downtime = Duration.zero
            for _ in 0..<sizes.kills {
                try await Task.sleep(for: .milliseconds(Int.random(in: 300...1_500, using: &generator)))
                await agent.kill9()
                let down = ContinuousClock.now
                try await agent.start()
                downtime += .now - down
            }
            let (acknowledged, stored) = try await endLoad(load, provider: provider, inbox: agent.queries)
            let started = ContinuousClock.now
            let done = try await waitDelivered(stored.union(acknowledged), route: "app", recorder: recorder, inbox: agent.queries)
            await agent.stop()

            let tally = provider.tally
            let interrupted = try await agent.queries.interruptedAttempts(route: "app")
            result.figure("events created", tally.created)
            result.figure("webhook requests sent", tally.sends)
            result.figure("events acknowledged (2xx)", acknowledged.count)
            result.figure("kills (SIGKILL)", agent.kills)
            result.figure("time down per kill, restart to /healthz", (downtime / max(1, agent.kills)).formatted)
            result.figure("stored without an acknowledgement (answer lost at a kill)", stored.subtracting(acknowledged).count)
            result.figure("deliveries in flight at a kill, by the agent's attempt table", interrupted.values.reduce(0, +))
            result.figure("drain after the last restart", (done - started).formatted)
            let missing = acknowledged.subtracting(stored)
            result.check(
                "every acknowledged event is in the inbox",
                missing.isEmpty,
                missing.isEmpty ? "\(acknowledged.count) of \(acknowledged.count)" : "missing \(missing.count)"
            )
            let delivered = try await agent.queries.events(route: "app", state: "done")
            result.check("every stored event ends delivered", delivered == stored, "\(delivered.count) of \(stored.count) done")
            result.check("at least 10 kills", agent.kills >= 10, "\(agent.kills)")
            result.checkExactlyOnce(
                route: "app",
                expected: stored.union(acknowledged),
                sightings: recorder.sightings(route: "app"),
                cuts: agent.cuts
            )
            return result
        }
    }
}
