import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import HookSync

/// Polling Stripe's event API against a mock that follows its wire format.
@Suite struct StripePollingTests {
    static func source(_ base: String, mode: SourceMode = .poll, recoverAfter: Int = 3) -> SourceConfig {
        var polling = PollingSettings()
        polling.recoverAfter = recoverAfter
        return SourceConfig(
            name: "shop",
            provider: "stripe",
            mode: mode,
            webhookSecrets: mode == .poll ? [] : [.environment("STRIPE_SECRET")],
            apiKey: .environment("STRIPE_KEY"),
            apiBase: base,
            polling: polling
        )
    }

    static func environment(_ mock: MockStripe) -> [String: String] {
        ["STRIPE_KEY": mock.apiKey, "STRIPE_SECRET": Vectors.Stripe.secret]
    }

    @Test func backfillThenForwardPagingStoresEveryEventOnceIncludingOnesCreatedWhilePaging() async throws {
        let mock = MockStripe()
        mock.add(250, created: Date().addingTimeInterval(-3600))
        mock.onRequest(2) { mock.add(5) }
        try await mock.application().test(.live) { client in
            let harness = try PollHarness(source: Self.source("http://127.0.0.1:\(client.port!)"), environment: Self.environment(mock))
            let first = try await harness.pass().run(since: Date().addingTimeInterval(-86400))
            #expect(first.pages == 3)
            #expect(first.new == 250)
            // The five created during the walk are newer than its first page: the next pass.
            let second = try await harness.pass().run(since: Date())
            #expect(second.new == 5)
            #expect(mock.requests.last?.contains("ending_before=") == true)

            mock.add(230)
            mock.onRequest(mock.requests.count + 2) { mock.add(7) }
            let third = try await harness.pass().run(since: Date())
            #expect(third.new == 237)
            #expect(third.duplicates == 0)
            let stored = try await harness.stored()
            #expect(stored.count == 492)
            #expect(stored.values.allSatisfy { $0 == 1 }, "no event may be stored twice")
            #expect(try await harness.inbox.pollState(source: "shop")?.cursor == String(format: "evt_mock%08d", 492))
        }
    }

    @Test func failedPagesAreRetriedHonouringRetryAfterAndNeverSkipped() async throws {
        let mock = MockStripe()
        mock.add(250, created: Date().addingTimeInterval(-60))
        mock.fail(request: 2, with: [.init(status: 500), .init(status: 429, retryAfter: "7"), .init(status: 503)])
        try await mock.application().test(.live) { client in
            let harness = try PollHarness(source: Self.source("http://127.0.0.1:\(client.port!)"), environment: Self.environment(mock))
            let summary = try await harness.pass().run(since: Date().addingTimeInterval(-3600))
            #expect(summary.new == 250)
            #expect(summary.pages == 3)
            let sleeps = harness.clock.sleeps
            #expect(sleeps.count == 3)
            #expect(sleeps[1] >= .seconds(7), "Retry-After: 7 must be honoured, slept \(sleeps)")
            // The failed page was asked for again, with the same cursor each time.
            let pageTwo = mock.requests[1...4]
            #expect(Set(pageTwo).count == 1, "\(pageTwo)")
        }
    }

    @Test func aPassCutBetweenPagesResumesWithoutLossOrRepeat() async throws {
        let mock = MockStripe()
        let ids = mock.add(20, created: Date().addingTimeInterval(-60))
        try await mock.application().test(.live) { client in
            let harness = try PollHarness(source: Self.source("http://127.0.0.1:\(client.port!)"), environment: Self.environment(mock))
            // Catch up once so the cursor exists, then let 350 more events pile up.
            _ = try await harness.pass().run(since: Date().addingTimeInterval(-3600))
            #expect(try await harness.inbox.pollState(source: "shop")?.cursor == ids.last)
            mock.add(350)
            await #expect(throws: CancellationError.self) {
                try await harness.pass(transport: InterruptingTransport(pages: 2)).run(since: Date())
            }
            #expect(try await harness.storedCount() == 220, "two committed pages")
            let resumed = try await harness.pass().run(since: Date())
            #expect(resumed.new == 150)
            #expect(resumed.duplicates == 0, "nothing already stored comes back")
            let stored = try await harness.stored()
            #expect(stored.count == 370)
            #expect(stored.values.allSatisfy { $0 == 1 })
        }
    }

    /// 30% of webhooks never arrive: polling recovers them, counts them as missed, degrades the
    /// source, and clean passes bring it back.
    @Test func hybridSourceCountsDroppedWebhooksDegradesAndRecovers() async throws {
        let mock = MockStripe()
        let ids = mock.add(100, created: Date().addingTimeInterval(-600))
        try await mock.application().test(.live) { api in
            let source = Self.source("http://127.0.0.1:\(api.port!)", mode: .hybrid, recoverAfter: 2)
            let route = RouteConfig(name: "all", action: .exec(["/bin/true"]))
            let harness = try PollHarness(source: source, environment: Self.environment(mock), routes: [route])
            try await harness.receiver().test(.live) { receiver in
                var generator = SeededGenerator(seed: 7)
                let dropped = Set(ids.shuffled(using: &generator).prefix(30))
                for id in ids where !dropped.contains(id) {
                    let body = mock.body(of: id)
                    var headers = StripeSignature().sign(
                        WebhookRequest(headers: [:], body: Array(body.utf8)),
                        secret: Secret(Vectors.Stripe.secret),
                        id: id,
                        timestamp: Date()
                    )
                    headers[.contentType] = "application/json"
                    let response = try await receiver.execute(uri: "/webhooks/shop", method: .post, headers: headers, body: ByteBuffer(string: body))
                    #expect(response.status == .ok)
                }
                let poller = harness.poller()
                var health = SourceHealth(recoverAfter: 2, silence: nil)
                try await poller.runPass(health: &health)
                #expect(health.state == .degraded)
                let state = try #require(try await harness.inbox.pollState(source: "shop"))
                #expect(state.missed == 30)
                #expect(state.health == .degraded)
                #expect(state.healthReason == "polling found 30 event(s) that never arrived as webhooks")

                try await poller.runPass(health: &health)
                #expect(health.state == .degraded, "one clean pass is not enough")
                try await poller.runPass(health: &health)
                #expect(health.state == .healthy)
                #expect(try await harness.inbox.pollState(source: "shop")?.health == .healthy)
            }
            let events = try await harness.inbox.events(EventQuery(limit: 1000))
            #expect(events.count == 100)
            #expect(events.filter { $0.origin == .poll }.count == 30)
            #expect(events.allSatisfy { $0.arrivals == ($0.origin == .poll ? 1 : 2) }, "webhook copies were seen again by polling")
            #expect(events.reduce(0) { $0 + $1.attempts } == 0)
            let status = try await harness.inbox.status()
            #expect(status.routes.first?.pending == 100, "one delivery per event")
        }
    }
}
