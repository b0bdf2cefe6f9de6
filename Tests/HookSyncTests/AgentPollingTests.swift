import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HookSync
@testable import HookSyncCore
@testable import HookSyncDemo

#if canImport(Glibc)
import Glibc
#endif

/// Polling as a user runs it: the built agent against a mock Stripe API, killed between pages,
/// and the CLI's `status` and `backfill`.
@Suite(.serialized) struct AgentPollingTests {
    let directory: TemporaryDirectory
    let mock = MockStripe()

    init() throws {
        directory = try TemporaryDirectory()
    }

    func writeConfig(api: String, poll: String = "every 1h", extra: String = "") throws -> String {
        let record = try directory.script(
            "record.sh",
            "cat > /dev/null; echo \"$HOOKSYNC_EVENT_ID $HOOKSYNC_ORIGIN\" >> \(directory.file("delivered"))"
        )
        return try directory.write(
            "hooksync.toml",
            """
            data_dir = "./data"
            [[sources]]
            name = "shop"
            provider = "stripe"
            mode = "poll"
            api_key = "env:MOCK_STRIPE_KEY"
            api_base = "\(api)"
            poll = "\(poll)"
            \(extra)
            [[routes]]
            name = "record"
            exec = ["\(record)"]
            """
        )
    }

    var environment: [String: String] { ["MOCK_STRIPE_KEY": mock.apiKey] }

    func cli(_ arguments: String...) async throws -> HookSyncBinary.Output {
        try await HookSyncBinary.run(arguments + ["--config", directory.file("hooksync.toml")], in: directory, environment: environment)
    }

    @Test func killedBetweenPagesTheAgentLosesNothingAndRedeliversNothing() async throws {
        mock.add(350, at: Date().addingTimeInterval(-600))
        let gate = mock.api.hold(request: 3)
        try await mock.application().test(.live) { client in
            let config = try writeConfig(api: "http://127.0.0.1:\(client.port!)")
            let first = try AgentProcess(config: config, dataDirectory: directory.file("data"), directory: directory, environment: environment)
            // Two pages are committed and delivered, and their outcomes recorded (a delivery killed
            // between its route's run and its record runs again, by design); the third page is
            // held when the agent dies.
            try await eventually("two pages delivered") { directory.lines("delivered").count == 200 && mock.api.requests.count == 3 }
            try await eventually("their outcomes recorded") {
                let report = try JSONSerialization.jsonObject(with: Data(try await cli("status", "--json").stdout.utf8)) as? [String: Any]
                let shop = (report?["sources"] as? [[String: Any]])?.first
                return (shop?["by_state"] as? [String: Int])?["done"] == 200
            }
            first.signal(SIGKILL)
            _ = try await first.waitForExit()
            gate.open()

            let second = try AgentProcess(config: config, dataDirectory: directory.file("data"), directory: directory, environment: environment)
            try await eventually("every event delivered") { directory.lines("delivered").count >= 350 }
            let status = try await cli("status", "--json")
            second.signal(SIGTERM)
            #expect(try await second.waitForExit() == 0)
            let stopped = try #require(try JSONSerialization.jsonObject(with: Data(try await cli("status", "--json").stdout.utf8)) as? [String: Any])
            #expect((stopped["agent"] as? [String: Any])?["running"] as? Bool == false)
            let kept = try #require(((stopped["sources"] as? [[String: Any]])?.first)?["polling"] as? [String: Any])
            #expect(kept["cursor"] as? String == "evt_sim00000350", "the same fields with the agent down")

            let delivered = directory.lines("delivered")
            #expect(delivered.count == 350)
            #expect(Set(delivered).count == 350, "no event delivered twice")
            #expect(delivered.allSatisfy { $0.hasSuffix(" poll") })
            let report = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
            let polling = try #require(((report["sources"] as? [[String: Any]])?.first)?["polling"] as? [String: Any])
            #expect(polling["schedule"] as? String == "every 1h")
            #expect(polling["health"] as? String == "healthy")
            #expect(polling["last_result"] as? String == "ok")
            #expect(polling["cursor"] as? String == "evt_sim00000350", "the newest event's id")
            #expect((polling["lag_seconds"] as? Int).map { $0 >= 0 && $0 < 60 } == true)
            #expect((report["agent"] as? [String: Any])?["running"] as? Bool == true)
        }
    }

    @Test func backfillPrintsProgressAndStatusNamesTheRangeLostToRetention() async throws {
        mock.add(230, at: Date().addingTimeInterval(-7200))
        try await mock.application().test(.live) { client in
            _ = try writeConfig(api: "http://127.0.0.1:\(client.port!)")
            let output = try await cli("backfill", "shop", "--since", "3h")
            #expect(output.status == 0, "\(output.stderr)")
            let lines = output.stdout.split(separator: "\n")
            #expect(lines.first == "backfill shop: pages 1, events 100, new 100, duplicate 0")
            #expect(lines.last == "backfill shop done: pages 3, events 230, new 230, duplicate 0")
            let again = try await cli("backfill", "shop", "--since", "3h")
            #expect(again.stdout.split(separator: "\n").last == "backfill shop done: pages 3, events 230, new 0, duplicate 230")
        }
        // The source last synced 40 days ago: Stripe keeps 30.
        let inbox = try await InboxFactory.open(.sqlite(path: directory.file("data/inbox.sqlite")), access: .existing)
        let synced = Date().addingTimeInterval(-40 * 86400)
        try await inbox.recordPass(source: "shop", PollPassRecord(syncedUntil: synced, polledAt: synced, health: .healthy))
        let status = try await cli("status")
        let lost = "LOST: events from \(ConsoleTime.rfc3339(synced)) to "
        #expect(status.stdout.contains(lost), "\(status.stdout)")
        #expect(status.stdout.contains("are past the API's retention and cannot be recovered by polling"))
    }

    /// A cron `poll` fires in the host's time zone (`TZ`), as cron itself does: 09:30 in
    /// Kolkata (UTC+05:30, no daylight saving) is 04:00 UTC.
    @Test func aCronPollRunsInTheHostsTimeZone() async throws {
        try await mock.application().test(.live) { client in
            let config = try writeConfig(api: "http://127.0.0.1:\(client.port!)", poll: "30 9 * * *")
            let started = Date()
            let agent = try AgentProcess(
                config: config,
                dataDirectory: directory.file("data"),
                directory: directory,
                environment: environment.merging(["TZ": "Asia/Kolkata"]) { $1 }
            )
            try await eventually("the next pass to be scheduled") { agent.log.contains("next poll pass") }
            let line = try #require(agent.log.split(separator: "\n").first { $0.contains("next poll pass") })
            let at = try #require(line.split(separator: " ").first { $0.hasPrefix("at=") }.map { String($0.dropFirst(3)) })
            let parser = ISO8601DateFormatter()
            parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let scheduled = try #require(parser.date(from: at), "\(line)")
            var kolkata = Calendar(identifier: .gregorian)
            kolkata.timeZone = try #require(TimeZone(identifier: "Asia/Kolkata"))
            let expected = try #require(kolkata.nextDate(after: started, matching: DateComponents(hour: 9, minute: 30), matchingPolicy: .strict))
            #expect(at.contains("T04:00:"), "\(line)")
            #expect(scheduled >= expected && scheduled <= expected.addingTimeInterval(10), "jitter of at most 10 s: \(line)")
            agent.signal(SIGTERM)
            #expect(try await agent.waitForExit() == 0)
        }
    }

    @Test func demoMergesBothFeedsAndDeliversEveryEventOnce() async throws {
        let output = try await HookSyncBinary.run(
            ["demo", "--duration", "3s", "--rate", "20", "--drop", "0.4", "--data-dir", directory.file("demo")],
            in: directory
        )
        #expect(output.status == 0, "\(output.stdout)\n\(output.stderr)")
        let final = try #require(output.stdout.split(separator: "\n").first { $0.hasPrefix("demo finished: ") })
        // generated, dropped, by webhook, recovered by polling, duplicates, delivered, dead
        let numbers = final.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        try #require(numbers.count == 7, "\(final)")
        let (generated, dropped, byWebhook, recovered, delivered, dead) = (numbers[0], numbers[1], numbers[2], numbers[3], numbers[5], numbers[6])
        #expect(generated > 20)
        #expect(dropped > 0)
        #expect(byWebhook + recovered == generated, "\(final)")
        #expect(recovered >= dropped, "every dropped webhook was recovered by polling: \(final)")
        #expect(delivered == generated && dead == 0, "\(final)")
        // The handler itself saw each event once: its ledger, not the agent's account.
        let handled = directory.lines("demo/\(Demo.ledger)")
        #expect(handled.count == generated, "\(handled.count) handled of \(generated)")
        #expect(Set(handled).count == handled.count, "an event handled twice")
        #expect(handled.allSatisfy { $0.hasPrefix("evt_") })
        // The inbox agrees: each event once, each delivered once.
        let inbox = try await InboxFactory.open(.sqlite(path: directory.file("demo/inbox.sqlite")), access: .existing)
        let status = try await inbox.status()
        #expect(status.sources.first?.events == generated)
        #expect(status.routes.first?.done == generated)
    }
}
