import Foundation
import HTTPTypes
import Testing

@testable import HookSync
@testable import HookSyncCore

/// The polling decisions as values, without I/O: schedules, health, retention, retry waits and
/// each feed's paging rules.
@Suite struct PollDecisionTests {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    static func date(_ text: String) -> Date { TimestampFormat.rfc3339.parse(text)! }

    @Test(arguments: [
        ("*/5 * * * *", "2026-11-22T10:02:30Z", "2026-11-22T10:05:00Z"),
        ("*/5 * * * *", "2026-11-22T10:05:00Z", "2026-11-22T10:10:00Z"),
        ("0 9-17 * * 1-5", "2026-11-21T18:00:00Z", "2026-11-23T09:00:00Z"),  // Saturday → Monday
        ("15,45 */2 * * *", "2026-11-22T01:50:00Z", "2026-11-22T02:15:00Z"),
        ("0 0 1 * *", "2026-12-15T00:00:00Z", "2027-01-01T00:00:00Z"),
        ("0 12 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T12:00:00Z"),
        ("30 6 13 * 5", "2026-11-22T00:00:00Z", "2026-11-27T06:30:00Z"),  // day 13 OR Friday
        ("0 0 * * 7", "2026-11-22T00:00:00Z", "2026-11-29T00:00:00Z"),  // 7 is Sunday too
        ("5-10/2 * * * *", "2026-11-22T10:06:00Z", "2026-11-22T10:07:00Z"),
    ])
    func cronFindsTheNextMinute(_ expression: String, _ after: String, _ expected: String) throws {
        let cron = try #require(CronExpression(expression))
        #expect(cron.next(after: Self.date(after), calendar: Self.utc) == Self.date(expected))
    }

    @Test func cronRefusesWhatCronRefuses() {
        for bad in ["* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "*/0 * * * *", "5-1 * * * *", "a * * * *", ""] {
            #expect(CronExpression(bad) == nil, "\(bad)")
        }
        #expect(CronExpression("0 0 31 2 *")?.next(after: Date(), calendar: Self.utc) == nil, "February 31st never comes")
    }

    @Test func schedulesParseAndJitterStaysWithinBounds() throws {
        let every = try #require(PollSchedule("every 5m"))
        #expect(every.description == "every 5m")
        #expect(every.jitter == .seconds(30))
        #expect(PollSchedule("every 0s") == nil)
        #expect(PollSchedule("sometimes") == nil)
        let start = Self.date("2026-11-22T10:00:00Z")
        var generator = SeededGenerator(seed: 3)
        let runs = (0..<200).map { _ in every.next(after: start, calendar: Self.utc, using: &generator).timeIntervalSince(start) }
        #expect(runs.allSatisfy { (300...330).contains($0) })
        #expect(Set(runs.map { Int($0) }).count > 10, "jitter spreads runs")
        let cron = try #require(PollSchedule("*/15 * * * *"))
        #expect(cron.next(after: start, calendar: Self.utc) == Self.date("2026-11-22T10:15:00Z"))
    }

    @Test func aDegradedSourcePollsAtItsFallbackRateOnlyWhenThatIsSooner() {
        let now = Self.date("2026-11-22T10:00:00Z")
        var health = SourceHealth(recoverAfter: 1, silence: nil)
        #expect(health.nextPass(scheduled: now + 900, now: now, fallback: .seconds(30)) == now + 900, "healthy: on schedule")
        _ = health.record(.init(missed: 1, newEvents: 1, lastWebhookAt: now, now: now))
        #expect(health.nextPass(scheduled: now + 900, now: now, fallback: .seconds(30)) == now + 30)
        #expect(health.nextPass(scheduled: now + 2, now: now, fallback: .seconds(30)) == now + 2, "a faster schedule stays")
    }

    @Test func healthDegradesOnMissesOrSilenceAndRecoversAfterCleanPasses() {
        let now = Self.date("2026-11-22T10:00:00Z")
        var health = SourceHealth(recoverAfter: 2, silence: .seconds(600))
        #expect(health.record(.init(missed: 0, newEvents: 3, lastWebhookAt: now - 60, now: now)) == nil)
        #expect(
            health.record(.init(missed: 2, newEvents: 2, lastWebhookAt: now - 60, now: now))
                == .degraded(reason: "polling found 2 event(s) that never arrived as webhooks")
        )
        #expect(health.record(.init(missed: 1, newEvents: 1, lastWebhookAt: now, now: now)) == nil, "already degraded: logged once")
        #expect(health.record(.init(missed: 0, newEvents: 0, lastWebhookAt: now, now: now)) == nil)
        #expect(
            health.record(.init(missed: 0, newEvents: 0, lastWebhookAt: now, now: now))
                == .recovered(reason: "2 consecutive polling passes found no missed webhook")
        )
        #expect(health.state == .healthy)

        // Webhooks silent for longer than `silence` while polling finds events.
        let silent = health.record(.init(missed: 0, newEvents: 4, lastWebhookAt: now - 3600, now: now))
        #expect(silent == .degraded(reason: "no webhook for 1h while polling found 4 new event(s)"))
        var never = SourceHealth(recoverAfter: 1, silence: .seconds(60))
        #expect(
            never.record(.init(missed: 0, newEvents: 1, lastWebhookAt: nil, now: now))
                == .degraded(reason: "no webhook ever while polling found 1 new event(s)")
        )
        var quiet = SourceHealth(recoverAfter: 1, silence: .seconds(60))
        #expect(quiet.record(.init(missed: 0, newEvents: 0, lastWebhookAt: nil, now: now)) == nil, "no events, no evidence")
    }

    @Test func aPassThatStoredEventsIsNeverClean() {
        let now = Self.date("2026-11-22T10:00:00Z")
        var health = SourceHealth(recoverAfter: 2, silence: .seconds(600))
        #expect(health.record(.init(missed: 1, newEvents: 1, lastWebhookAt: now, now: now)) != nil)
        // Events within grace, webhooks recent: no problem, but not clean either.
        #expect(health.record(.init(missed: 0, newEvents: 2, lastWebhookAt: now, now: now + 1)) == nil)
        #expect(health.record(.init(missed: 0, newEvents: 0, lastWebhookAt: now, now: now + 2)) == nil)
        #expect(health.record(.init(missed: 0, newEvents: 1, lastWebhookAt: now, now: now + 3)) == nil, "one stored event breaks the run")
        #expect(health.record(.init(missed: 0, newEvents: 0, lastWebhookAt: now, now: now + 4)) == nil)
        #expect(health.state == .degraded)
        #expect(
            health.record(.init(missed: 0, newEvents: 0, lastWebhookAt: now, now: now + 5))
                == .recovered(reason: "2 consecutive polling passes found no missed webhook")
        )
    }

    @Test func retentionWarnsAt80PercentAndNamesTheLostRange() {
        let guardian = RetentionGuard(retention: .seconds(30 * 86400))
        let now = Self.date("2026-11-22T00:00:00Z")
        #expect(guardian.check(syncedUntil: now - 86400, now: now) == .ok)
        #expect(guardian.check(syncedUntil: now - 25 * 86400, now: now) == .nearLimit(age: .seconds(25 * 86400), limit: .seconds(30 * 86400)))
        #expect(
            guardian.check(syncedUntil: Self.date("2026-10-01T00:00:00Z"), now: now)
                == .lost(from: Self.date("2026-10-01T00:00:00Z"), until: Self.date("2026-10-23T00:00:00Z"))
        )
    }

    @Test func retryWaitsAtLeastRetryAfterAndBacksOff() {
        let policy = PageRetryPolicy(base: .seconds(1), max: .seconds(60))
        var generator = SeededGenerator(seed: 1)
        for failures in 1...10 {
            let delay = policy.delay(afterFailures: failures, retryAfter: .seconds(20), using: &generator)
            #expect(delay >= .seconds(20) && delay <= .seconds(60))
        }
        let now = Self.date("2026-11-22T10:00:00Z")
        #expect(PageRetryPolicy.retryAfter("7", now: now) == .seconds(7))
        #expect(PageRetryPolicy.retryAfter("Sun, 22 Nov 2026 10:00:30 GMT", now: now) == .seconds(30))
        #expect(PageRetryPolicy.retryAfter("soon", now: now) == nil)
    }

    @Test func linkHeadersYieldTheNextPage() {
        let github = #"<https://api.github.com/repos/o/r/hooks/1/deliveries?per_page=100&cursor=v1_12077215967>; rel="next""#
        #expect(FeedJSON.nextLink(github) == "https://api.github.com/repos/o/r/hooks/1/deliveries?per_page=100&cursor=v1_12077215967")
        let shopify =
            #"<https://s.myshopify.com/admin/api/2025-07/orders.json?page_info=abc&limit=50>; rel="previous", <https://s.myshopify.com/admin/api/2025-07/orders.json?page_info=def&limit=50>; rel="next""#
        #expect(FeedJSON.nextLink(shopify) == "https://s.myshopify.com/admin/api/2025-07/orders.json?page_info=def&limit=50")
        #expect(FeedJSON.nextLink(#"<https://x/y?page_info=abc>; rel="previous""#) == nil)
        #expect(FeedJSON.nextLink(nil) == nil)
    }

    /// Stripe's reference example: a page after a cursor is newest first and processed in reverse.
    @Test func stripeForwardPageIsProcessedOldestFirstAndMovesTheCursorToItsNewest() throws {
        let feed = StripeEventFeed(baseURL: "https://api.stripe.com", apiKey: "sk_test")
        let request = feed.firstRequest(cursor: "evt_1PprevEVENT000", since: Date())
        #expect(request.url == "https://api.stripe.com/v1/events?ending_before=evt_1PprevEVENT000&limit=100")
        #expect(request.headers["Authorization"] == "Bearer sk_test")
        let body =
            #"{"object":"list","url":"/v1/events","has_more":true,"data":[{"id":"evt_B","type":"customer.updated","created":2},{"id":"evt_A","type":"customer.created","created":1}]}"#
        let page = try feed.page(FeedResponse(body: Array(body.utf8)), for: request)
        let ids = try page.events.map { try #require(EventDocument(json: $0.body)?.text(at: .body(JSONPointer("/id")!))) }
        #expect(ids == ["evt_A", "evt_B"])
        #expect(page.cursor == "evt_B")
        #expect(page.next?.url == "https://api.stripe.com/v1/events?ending_before=evt_B&limit=100")
    }

    @Test func stripeListsOnlyTheTypesRoutesNameExactly() {
        let exact = [
            RouteConfig(name: "a", source: "shop", events: [EventTypeGlob("invoice.paid"), EventTypeGlob("charge.refunded")], action: .exec(["x"])),
            RouteConfig(name: "b", source: "*", events: [EventTypeGlob("invoice.paid")], action: .exec(["x"])),
            RouteConfig(name: "c", source: "other", events: [EventTypeGlob("*")], action: .exec(["x"])),
        ]
        #expect(EventFeedFactory.exactTypes(exact, source: "shop") == ["charge.refunded", "invoice.paid"])
        let wildcard = exact + [RouteConfig(name: "d", source: "shop", events: [EventTypeGlob("customer.*")], action: .exec(["x"]))]
        #expect(EventFeedFactory.exactTypes(wildcard, source: "shop") == [])
        #expect(EventFeedFactory.exactTypes([], source: "shop") == [])
        let feed = StripeEventFeed(apiKey: "k", types: ["charge.refunded", "invoice.paid"])
        #expect(feed.firstRequest(cursor: "evt_1", since: Date()).url.hasSuffix("&limit=100&types%5B%5D=charge.refunded&types%5B%5D=invoice.paid"))
    }

    @Test func stripeBackfillMovesTheCursorOnlyWhenTheWindowIsDone() throws {
        let feed = StripeEventFeed(apiKey: "sk_test")
        let first = feed.firstRequest(cursor: nil, since: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(first.url == "https://api.stripe.com/v1/events?created%5Bgte%5D=1700000000&limit=100")
        let newer = #"{"has_more":true,"data":[{"id":"evt_9"},{"id":"evt_8"}]}"#
        let page = try feed.page(FeedResponse(body: Array(newer.utf8)), for: first)
        #expect(page.cursor == nil)
        let next = try #require(page.next)
        #expect(next.url == "https://api.stripe.com/v1/events?created%5Bgte%5D=1700000000&starting_after=evt_8&limit=100")
        let last = try feed.page(FeedResponse(body: Array(#"{"has_more":false,"data":[{"id":"evt_7"}]}"#.utf8)), for: next)
        #expect(last.cursor == "evt_9", "the newest id of the whole window")
        #expect(last.next == nil)
    }

    @Test func squareResendsTheSameQueryWithTheCursorAndOverlapsTheStart() throws {
        let feed = SquareEventFeed(accessToken: "EAAA", overlap: .seconds(300))
        let request = feed.firstRequest(cursor: "2024-03-01T12:00:00.000Z", since: Date())
        let query = try #require(try JSONSerialization.jsonObject(with: Data(request.body ?? [])) as? [String: Any])
        let filter = ((query["query"] as? [String: Any])?["filter"] as? [String: Any])?["created_at"] as? [String: String]
        #expect(filter?["start_at"] == "2024-03-01T11:55:00.000Z")
        #expect(((query["query"] as? [String: Any])?["sort"] as? [String: String]) == ["field": "DEFAULT", "order": "ASC"])
        let body = #"{"events":[{"event_id":"e1","created_at":"2024-03-01T12:01:00.000Z","type":"payment.created"}],"cursor":"c2"}"#
        let page = try feed.page(FeedResponse(body: Array(body.utf8)), for: request)
        #expect(page.cursor == "2024-03-01T12:01:00.000Z")
        let next = try #require(page.next)
        var again = try #require(try JSONSerialization.jsonObject(with: Data(next.body ?? [])) as? [String: Any])
        #expect(again.removeValue(forKey: "cursor") as? String == "c2")
        #expect(NSDictionary(dictionary: again) == NSDictionary(dictionary: query), "the same query on every page")
        let failed = #"{"errors":[{"category":"AUTHENTICATION_ERROR","code":"UNAUTHORIZED","detail":"This request could not be authorized."}]}"#
        #expect(throws: FeedError.self) { try feed.page(FeedResponse(body: Array(failed.utf8)), for: request) }
    }

    @Test func genericLinkPagingKeepsTheNewestTimeAndLastItemPagingTheLastId() throws {
        let provider = try ProviderDefinition.parse(
            """
            name = "acme"
            [signature]
            scheme = "hmac"
            header = "X-Sig"
            [event]
            id = "/id"
            type = "/kind"
            occurred_at = "/at"
            occurred_at_format = "unix"
            [api]
            style = "generic"
            path = "/events"
            items = ""
            cursor = "link"
            since_param = "since"
            since_format = "unix"
            """,
            file: "acme.toml",
            origin: "test"
        )
        let api = try #require(provider.api?.generic)
        let feed = GenericEventFeed(baseURL: "https://acme.test", apiKey: "k", api: api, mapping: provider.event, overlap: .seconds(60))
        let first = feed.firstRequest(cursor: "2026-11-22T10:00:00.000Z", since: Date())
        #expect(first.url == "https://acme.test/events?since=\(Int(Self.date("2026-11-22T09:59:00Z").timeIntervalSince1970))")
        #expect(first.headers["Authorization"] == "Bearer k")
        let body = #"[{"id":"a","kind":"k","at":1795341700},{"id":"b","kind":"k","at":1795341600}]"#
        let link = #"<https://acme.test/events?page=2>; rel="next""#
        let page = try feed.page(FeedResponse(headers: ["link": link], body: Array(body.utf8)), for: first)
        #expect(page.cursor == nil)
        let last = try feed.page(FeedResponse(body: Array("[]".utf8)), for: try #require(page.next))
        #expect(last.cursor == TimestampFormat.rfc3339.format(Date(timeIntervalSince1970: 1_795_341_700)))

        var byItem = api
        byItem.paging = .lastItem(JSONPointer("/id")!)
        byItem.pageSize = 2
        let items = GenericEventFeed(baseURL: "https://acme.test", apiKey: "k", api: byItem, mapping: provider.event)
        let full = try items.page(FeedResponse(body: Array(body.utf8)), for: items.firstRequest(cursor: "z", since: Date()))
        #expect(full.cursor == "b")
        #expect(full.next?.url == "https://acme.test/events?cursor=b")
        let short = try items.page(FeedResponse(body: Array(#"[{"id":"c","kind":"k","at":1}]"#.utf8)), for: try #require(full.next))
        #expect(short.cursor == "c" && short.next == nil, "a short page is the last")
    }

    @Test func shopifyPutsFiltersOnlyOnTheFirstRequestAndTypesResourcesAsTheirWebhooks() throws {
        let feed = ShopifyResourceFeed(baseURL: "https://s.myshopify.com", accessToken: "shpat")
        let request = feed.firstRequest(cursor: nil, since: Self.date("2025-07-10T16:00:00Z"))
        #expect(
            request.url == "https://s.myshopify.com/admin/api/2025-07/orders.json?status=any&updated_at_min=2025-07-10T16%3A00%3A00.000Z&limit=250"
        )
        let body =
            #"{"orders":[{"id":1,"admin_graphql_api_id":"gid://shopify/Order/1","created_at":"2025-07-10T12:15:47-04:00","updated_at":"2025-07-10T12:15:47-04:00"},{"id":2,"admin_graphql_api_id":"gid://shopify/Order/2","created_at":"2025-07-10T11:00:00-04:00","updated_at":"2025-07-10T12:20:00-04:00"}]}"#
        let link = #"<https://s.myshopify.com/admin/api/2025-07/orders.json?limit=250&page_info=xyz>; rel="next""#
        let page = try feed.page(FeedResponse(headers: ["link": link], body: Array(body.utf8)), for: request)
        #expect(page.events.map { $0.headers[HTTPField.Name("X-Shopify-Topic")!] } == ["orders/create", "orders/updated"])
        #expect(page.cursor == nil, "order is not documented: the cursor waits for the last page")
        #expect(page.next?.url == "https://s.myshopify.com/admin/api/2025-07/orders.json?limit=250&page_info=xyz")
        let last = try feed.page(FeedResponse(body: Array(#"{"orders":[]}"#.utf8)), for: try #require(page.next))
        #expect(last.cursor == "2025-07-10T12:20:00-04:00")
    }
}
