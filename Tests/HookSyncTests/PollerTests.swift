import Foundation
import GRDB
import HTTPTypes
import HookSyncDemo
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import HookSync
@testable import HookSyncCore

/// Polling each provider's event API against a mock that follows its wire format: page sizes,
/// ordering, cursors, headers and errors.
@Suite struct PollerTests {
    static let providers = ["stripe", "github", "square", "shopify", "paddle", "woocommerce"]

    static func mock(_ name: String) -> any MockProvider {
        switch name {
        case "stripe": MockStripe()
        case "github": MockGitHub()
        case "square": MockSquare()
        case "paddle": MockPaddle()
        case "woocommerce": MockWooCommerce()
        default: MockShopify()
        }
    }

    /// Runs `body` with the mock API listening and a harness for a source of `mode` against it.
    static func withMock<M: MockProvider>(
        _ mock: M,
        mode: SourceMode = .poll,
        recoverAfter: Int = 3,
        _ body: @Sendable (PollHarness) async throws -> Void
    ) async throws {
        try await mock.application().test(.live) { client in
            let source = mock.source(base: "http://127.0.0.1:\(client.port!)", mode: mode, recoverAfter: recoverAfter)
            let harness = try await PollHarness(
                source: source,
                environment: mock.environment,
                routes: [RouteConfig(name: "all", action: .exec(["/bin/true"]))]
            )
            try await body(harness)
        }
    }

    /// Every event is in the inbox once and has exactly one delivery.
    static func expectEachOnce(_ harness: PollHarness, _ count: Int, _ comment: Comment? = nil) async throws {
        #expect(try await harness.storedCount() == count, comment)
        let routes = try await harness.inbox.status().routes
        #expect(routes.first?.pending == count, "one delivery per event")
    }

    @Test(arguments: providers)
    func pollOnlySourceGetsEveryEventOnceAcrossPagesIncludingOnesCreatedWhilePaging(_ name: String) async throws {
        let mock = Self.mock(name)
        mock.add(520, at: Date().addingTimeInterval(-3600))
        mock.api.onRequest(2) { mock.add(5, at: Date()) }
        try await Self.withMock(mock) { harness in
            let first = try await harness.pass().run(since: Date().addingTimeInterval(-86400))
            #expect(first.pages >= 3, "\(first.line)")
            _ = try await harness.pass().run(since: Date().addingTimeInterval(-86400))
            try await Self.expectEachOnce(harness, 525)

            mock.add(230, at: Date())
            mock.api.onRequest(mock.api.requests.count + 2) { mock.add(7, at: Date()) }
            _ = try await harness.pass().run(since: Date().addingTimeInterval(-86400))
            _ = try await harness.pass().run(since: Date().addingTimeInterval(-86400))
            try await Self.expectEachOnce(harness, 762)
        }
    }

    /// The poller must not wait for the disk between pages: while a page's commit is stuck
    /// behind another writer, the next page is already requested.
    @Test func theNextPageIsFetchedWhileAPageCommits() async throws {
        let mock = MockStripe()
        mock.add(250, at: Date().addingTimeInterval(-600))
        try await Self.withMock(mock) { harness in
            let observer = try DatabaseQueue(path: harness.databasePath)
            let locked = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            // Another process's write transaction holds the inbox's write lock meanwhile.
            Thread {
                try? observer.writeWithoutTransaction { db in
                    try db.execute(sql: "BEGIN IMMEDIATE")
                    locked.signal()
                    release.wait()
                    try db.execute(sql: "COMMIT")
                }
            }.start()
            locked.wait()
            let pass = Task { try await harness.pass().run(since: Date().addingTimeInterval(-3600)) }
            try await eventually("the second page to be requested while the first cannot commit") {
                mock.api.requests.count >= 2
            }
            let committed = try await DatabaseQueue(path: harness.databasePath).read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event")
            }
            release.signal()
            #expect(committed == 0)
            let summary = try await pass.value
            #expect(summary.new == 250)
            #expect(summary.pages == 3)
            #expect(mock.api.requests.count == 3, "no page fetched twice")
        }
    }

    @Test(arguments: providers)
    func startUpCatchUpAfterDowntimeDeliversExactlyTheMissedEvents(_ name: String) async throws {
        let mock = Self.mock(name)
        mock.add(30, at: Date().addingTimeInterval(-7200))
        try await Self.withMock(mock) { harness in
            var health = SourceHealth(recoverAfter: 3, silence: nil)
            try await harness.poller().runPass(health: &health)
            try await Self.expectEachOnce(harness, 30)
            // The agent is down while 140 events happen; its start-up pass brings exactly those.
            mock.add(140, at: Date().addingTimeInterval(-60))
            let before = try await harness.storedCount()
            try await harness.poller().runPass(health: &health)
            #expect(try await harness.storedCount() - before == 140)
            try await Self.expectEachOnce(harness, 170)
            let state = try #require(try await harness.inbox.pollState(source: "src"))
            #expect(state.syncedUntil != nil && state.lastError == nil)
        }
    }

    /// 30% of webhooks never arrive: polling recovers them, counts them as missed, degrades the
    /// source, and clean passes bring it back.
    @Test(arguments: providers)
    func hybridSourceRecoversDroppedWebhooksCountsThemDegradesAndRecovers(_ name: String) async throws {
        let mock = Self.mock(name)
        let ids = mock.add(100, at: Date().addingTimeInterval(-600))
        try await Self.withMock(mock, mode: .hybrid, recoverAfter: 2) { harness in
            try await harness.receiver().test(.live) { receiver in
                var generator = SeededGenerator(seed: 7)
                let dropped = Set(ids.shuffled(using: &generator).prefix(30))
                for id in ids where !dropped.contains(id) {
                    let (headers, body) = mock.webhook(id)
                    let response = try await receiver.execute(uri: "/webhooks/src", method: .post, headers: headers, body: ByteBuffer(string: body))
                    #expect(response.status == .ok, "\(String(buffer: response.body))")
                }
            }
            let metrics = AgentMetrics()
            let poller = harness.poller(metrics: metrics)
            var health = SourceHealth(recoverAfter: 2, silence: nil)
            try await poller.runPass(health: &health)
            let state = try #require(try await harness.inbox.pollState(source: "src"))
            #expect(state.missed == 30)
            let exposed = MetricsTests.samples(await metrics.render(inbox: harness.inbox))
            #expect(exposed[#"hooksync_missed_webhooks_total{source="src"}"#] == 30)
            #expect(exposed[#"hooksync_events_received_total{source="src",origin="poll"}"#] == 30)
            // The pass lists the 70 webhook events too; GitHub's deliveries the inbox has are never fetched.
            #expect(exposed[#"hooksync_duplicates_dropped_total{source="src",origin="poll"}"#] == (name == "github" ? 0 : 70))
            #expect(exposed[#"hooksync_poll_runs_total{source="src",result="ok"}"#] == 1)
            #expect((exposed[#"hooksync_poll_lag_seconds{source="src"}"#] ?? -1) >= 0)
            #expect(exposed[#"hooksync_source_degraded{source="src"}"#] == 1)
            #expect(state.health == .degraded)
            #expect(state.healthReason == "polling found 30 event(s) that never arrived as webhooks")
            try await poller.runPass(health: &health)
            #expect(health.state == .degraded, "one clean pass is not enough")
            try await poller.runPass(health: &health)
            #expect(try await harness.inbox.pollState(source: "src")?.health == .healthy)
            try await Self.expectEachOnce(harness, 100)
            let events = try await harness.inbox.events(EventQuery(limit: 1000))
            #expect(events.filter { $0.origin == .poll }.count == 30)
        }
    }

    /// A webhook that never comes is missed whether polling found its event before or after its
    /// grace ran out. Events polled while younger than `grace` wait; the first pass after their
    /// grace counts them, though it finds nothing new, and at exactly `grace` they still wait.
    /// One whose webhook comes after the poll, within grace, is never counted. (Judged when
    /// stored, as before, the young ones were never counted at all.)
    @Test func anEventPolledBeforeItsGraceRanOutIsJudgedWhenItDoes() async throws {
        let mock = MockStripe()
        let created = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let ids = mock.add(3, at: created)
        try await Self.withMock(mock, mode: .hybrid, recoverAfter: 1) { harness in
            let grace = harness.source.config.polling.grace.seconds
            let now = ManualNow(created.addingTimeInterval(1))
            let metrics = AgentMetrics()
            let poller = harness.poller(metrics: metrics, now: now.closure)
            var health = SourceHealth(recoverAfter: 1, silence: nil)
            try await poller.runPass(health: &health)
            #expect(try await harness.storedCount() == 3)
            #expect(try await harness.inbox.pollState(source: "src")?.missed == 0)
            try await harness.receiver().test(.live) { receiver in
                let (headers, body) = mock.webhook(ids[0])
                let response = try await receiver.execute(uri: "/webhooks/src", method: .post, headers: headers, body: ByteBuffer(string: body))
                #expect(response.status == .ok)
            }
            now.date = created.addingTimeInterval(grace)
            try await poller.runPass(health: &health)
            #expect(try await harness.inbox.pollState(source: "src")?.missed == 0, "at exactly grace they still wait")
            #expect(health.state == .healthy)
            now.date = created.addingTimeInterval(grace + 1)
            try await poller.runPass(health: &health)
            let state = try #require(try await harness.inbox.pollState(source: "src"))
            #expect(state.missed == 2)
            #expect(state.healthReason == "polling found 2 event(s) that never arrived as webhooks")
            let exposed = MetricsTests.samples(await metrics.render(inbox: harness.inbox))
            #expect(exposed[#"hooksync_missed_webhooks_total{source="src"}"#] == 2)
            try await poller.runPass(health: &health)
            #expect(try await harness.inbox.pollState(source: "src")?.missed == 2, "each judged once")
        }
    }

    /// Webhooks fall silent while events keep being created, and the pass that notices lists
    /// again the events webhooks brought before: those polled copies must not reset the silence
    /// clock (they once did, through the event's last arrival), and passes that keep storing
    /// events no webhook brought never count towards recovery, so the source does not flap.
    @Test func polledCopiesOfWebhookEventsDoNotMakeASilentSourceLookAlive() async throws {
        let mock = MockStripe()
        let early = mock.add(5, at: Date().addingTimeInterval(-600))
        try await Self.withMock(mock, mode: .hybrid, recoverAfter: 2) { harness in
            try await harness.receiver().test(.live) { receiver in
                for id in early {
                    let (headers, body) = mock.webhook(id)
                    let response = try await receiver.execute(uri: "/webhooks/src", method: .post, headers: headers, body: ByteBuffer(string: body))
                    #expect(response.status == .ok)
                }
            }
            let silentSince = try #require(try await harness.inbox.lastWebhookArrival(source: "src"))
            mock.add(5, at: Date())
            let poller = harness.poller(now: { silentSince.addingTimeInterval(10) })
            var health = SourceHealth(recoverAfter: 2, silence: .seconds(3))
            try await poller.runPass(health: &health)
            #expect(health.state == .degraded)
            #expect(health.reason == "no webhook for 10s while polling found 5 new event(s)", "\(health.reason ?? "healthy")")
            for _ in 0..<3 {
                mock.add(2, at: Date())
                try await poller.runPass(health: &health)
                #expect(health.state == .degraded, "\(health.reason ?? "recovered")")
            }
            #expect(try await harness.storedCount() == 16)
        }
    }

    @Test(arguments: providers)
    func failedPagesAreRetriedHonouringRetryAfterAndNeverSkipped(_ name: String) async throws {
        let mock = Self.mock(name)
        mock.add(520, at: Date().addingTimeInterval(-60))
        mock.api.fail(request: 2, with: [.init(status: 500), .init(status: 429, retryAfter: "7"), .init(status: 503)])
        try await Self.withMock(mock) { harness in
            _ = try await harness.pass().run(since: Date().addingTimeInterval(-3600))
            try await Self.expectEachOnce(harness, 520)
            let sleeps = harness.clock.sleeps
            #expect(sleeps.count == 3)
            #expect(sleeps.count > 1 && sleeps[1] >= .seconds(7), "Retry-After: 7 must be honoured, slept \(sleeps)")
            let repeated = mock.api.requests[1...4]
            #expect(Set(repeated).count == 1, "the failed page is asked for again, unchanged: \(repeated)")
        }
    }

    @Test(arguments: providers)
    func aPassCutBetweenPagesResumesWithoutLossOrRepeat(_ name: String) async throws {
        let mock = Self.mock(name)
        mock.add(20, at: Date().addingTimeInterval(-120))
        try await Self.withMock(mock) { harness in
            _ = try await harness.pass().run(since: Date().addingTimeInterval(-3600))
            mock.add(550, at: Date().addingTimeInterval(-60))
            await #expect(throws: CancellationError.self) {
                try await harness.pass(transport: InterruptingTransport(pages: 2)).run(since: Date().addingTimeInterval(-3600))
            }
            let cut = try await harness.storedCount()
            #expect(cut > 20 && cut < 570, "some but not all pages were committed: \(cut)")
            _ = try await harness.pass().run(since: Date().addingTimeInterval(-3600))
            try await Self.expectEachOnce(harness, 570)
        }
    }

    @Test func githubRedeliverAsksGitHubInsteadOfFetching() async throws {
        let mock = MockGitHub()
        let ids = mock.add(12, at: Date().addingTimeInterval(-600))
        try await mock.application().test(.live) { client in
            var source = mock.source(base: "http://127.0.0.1:\(client.port!)", mode: .hybrid)
            source.polling.redeliver = true
            let harness = try await PollHarness(source: source, environment: mock.environment)
            let (headers, body) = mock.webhook(ids[0])
            _ = try await harness.inbox.store(
                IncomingEvent(
                    source: "src",
                    eventID: ids[0],
                    dedupKey: "\(mock.hookID):\(ids[0])",
                    type: "issues.opened",
                    occurredAt: nil,
                    receivedAt: Date(),
                    origin: .webhook,
                    headers: [:],
                    body: Array(body.utf8),
                    routes: []
                )
            )
            _ = headers
            let summary = try await harness.pass().run(since: Date().addingTimeInterval(-3600))
            #expect(summary.redelivered == 11)
            #expect(summary.new == 0)
            #expect(Set(mock.redelivered) == Set(ids.dropFirst()))
        }
    }

    @Test func svixPollingEndpointIsWalkedByItsIterator() async throws {
        let mock = MockMessages()
        try await mock.application().test(.live) { client in
            let source = SourceConfig(
                name: "src",
                provider: "svix",
                mode: .poll,
                apiKey: .environment("SVIX_KEY"),
                apiBase: "http://127.0.0.1:\(client.port!)/api/v1/app/app_mock/poller/poll_mock"
            )
            let harness = try await PollHarness(source: source, environment: ["SVIX_KEY": mock.token])
            let first = try await harness.pass().run(since: Date())
            #expect(first.events == 0, "a new consumer starts from now")
            mock.add(250)
            mock.api.onRequest(3) { mock.add(6) }
            _ = try await harness.pass().run(since: Date())
            #expect(try await harness.storedCount() == 256)
            #expect(try await harness.inbox.pollState(source: "src")?.cursor == "it_256")
            let event = try #require(try await harness.inbox.eventDetails(id: "msg_00000001", source: "src").first)
            #expect(event.summary.type == "invoice.paid")
        }
    }

    static let inHouseProvider = """
        name = "acme"
        [signature]
        scheme = "hmac"
        header = "X-Acme-Signature"
        [event]
        id = "/id"
        type = "/kind"
        occurred_at = "/at"
        occurred_at_format = "rfc3339"
        [api]
        style = "generic"
        path = "/v2/activity"
        auth = "header:X-Api-Key"
        items = "/data"
        cursor = "/next"
        cursor_param = "after"
        has_more = "/has_more"
        page_size_param = "limit"
        page_size = 40
        """

    @Test func inHouseAPIDescribedByAProviderFileIsPolled() async throws {
        let mock = MockMessages()
        mock.add(130)
        mock.api.onRequest(2) { mock.add(9) }
        try await mock.application().test(.live) { client in
            let source = SourceConfig(
                name: "src",
                provider: "acme",
                mode: .poll,
                apiKey: .environment("ACME_KEY"),
                apiBase: "http://127.0.0.1:\(client.port!)"
            )
            let harness = try await PollHarness(
                source: source,
                environment: ["ACME_KEY": mock.token],
                providerFiles: ["acme.toml": Self.inHouseProvider]
            )
            let summary = try await harness.pass().run(since: Date().addingTimeInterval(-3600))
            #expect(summary.pages == 4)
            #expect(try await harness.storedCount() == 139)
            #expect(try await harness.inbox.pollState(source: "src")?.cursor == "msg_00000139")
            mock.add(3)
            #expect(try await harness.pass().run(since: Date()).new == 3)
            #expect(mock.api.requests.last == "/v2/activity?after=msg_00000139&limit=40")
        }
    }

    /// A polled event whose time the provider file cannot read may be a webhook still on its
    /// way: it is not judged against `grace` (once counted missed whatever its age), but
    /// counted apart, for the operator to fix the file.
    @Test func polledEventsWithoutATimeAreNotCountedAsMissedWebhooks() async throws {
        let mock = MockMessages()
        mock.add(12)
        let untimed = Self.inHouseProvider.replacingOccurrences(of: "occurred_at = \"/at\"\noccurred_at_format = \"rfc3339\"\n", with: "")
        #expect(!untimed.contains("occurred_at"))
        try await mock.application().test(.live) { client in
            let source = SourceConfig(
                name: "src",
                provider: "acme",
                mode: .hybrid,
                webhookSecrets: [.environment("ACME_SECRET")],
                apiKey: .environment("ACME_KEY"),
                apiBase: "http://127.0.0.1:\(client.port!)"
            )
            let harness = try await PollHarness(
                source: source,
                environment: ["ACME_KEY": mock.token, "ACME_SECRET": "acme-webhook-secret"],
                providerFiles: ["acme.toml": untimed]
            )
            let summary = try await harness.pass().run(since: Date().addingTimeInterval(-3600))
            #expect(summary.new == 12)
            #expect(summary.missed == 0, "\(summary.line)")
            #expect(summary.untimed == 12)
            #expect(summary.line.contains("without a time 12"), "\(summary.line)")
        }
    }

    @Test func stripeAsksOnlyForTheTypesItsRoutesWant() async throws {
        let mock = MockStripe()
        mock.stripe.add(30, type: "invoice.paid", at: Date().addingTimeInterval(-60))
        mock.stripe.add(40, type: "customer.updated", at: Date().addingTimeInterval(-60))
        try await mock.application().test(.live) { client in
            let source = mock.source(base: "http://127.0.0.1:\(client.port!)", mode: .poll)
            let route = RouteConfig(name: "invoices", source: "src", events: [EventTypeGlob("invoice.paid")], action: .exec(["/bin/true"]))
            let harness = try await PollHarness(source: source, environment: mock.environment, routes: [route])
            _ = try await harness.pass().run(since: Date().addingTimeInterval(-3600))
            #expect(try await harness.storedCount() == 30)
            #expect(mock.api.requests.allSatisfy { $0.contains("types%5B%5D=invoice.paid") })
        }
    }

    @Test func aGitHubDeliveryThatIsGoneIsSkippedNotRetriedForever() async throws {
        let mock = MockGitHub()
        let ids = mock.add(5, at: Date().addingTimeInterval(-60))
        mock.vanish(ids[2])
        try await Self.withMock(mock) { harness in
            let summary = try await harness.pass().run(since: Date().addingTimeInterval(-3600))
            #expect(summary.new == 4)
            #expect(harness.clock.sleeps.isEmpty, "a 404 is an answer, not a failure to retry")
        }
    }
}
