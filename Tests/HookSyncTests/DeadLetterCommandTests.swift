import Foundation
import Testing

@testable import HookSync
@testable import HookSyncCore

/// `hooksync dlq`, `dlq show`, `dlq purge` and `replay` with filters, as the built binary.
@Suite struct DeadLetterCommandTests {
    let directory: TemporaryDirectory
    let inbox: any Inbox

    init() async throws {
        directory = try TemporaryDirectory()
        _ = try directory.write("s", Vectors.Stripe.secret)
        _ = try directory.write(
            "hooksync.toml",
            """
            data_dir = "./data"
            [[sources]]
            name = "shop"
            provider = "stripe"
            mode = "poll"
            api_key = "file:./s"
            [[routes]]
            name = "ledger"
            exec = ["/bin/true"]
            [[routes]]
            name = "mailer"
            exec = ["/bin/true"]
            """
        )
        inbox = try await InboxFactory.open(.sqlite(path: directory.file("data/inbox.sqlite")), access: .create)
    }

    func cli(_ arguments: String...) async throws -> HookSyncBinary.Output {
        try await HookSyncBinary.run(arguments + ["--config", directory.file("hooksync.toml")], in: directory)
    }

    /// Stores an event for both routes and lets both deliveries die at `failedAt`.
    func kill(_ id: String, type: String, failedAt: Date) async throws {
        _ = try await inbox.store(
            IncomingEvent(
                source: "shop",
                eventID: id,
                type: type,
                occurredAt: nil,
                receivedAt: failedAt,
                origin: .webhook,
                headers: [:],
                body: Array("{}".utf8),
                routes: ["ledger", "mailer"]
            )
        )
        for claimed in try await inbox.claimDueDeliveries(routes: ["ledger", "mailer"], limit: 10, now: Date(), lease: .seconds(60), owner: "test") {
            try await inbox.recordAttempt(
                AttemptRecord(
                    deliveryID: claimed.deliveryID,
                    leaseOwner: "test",
                    startedAt: failedAt,
                    finishedAt: failedAt,
                    error: "exit status 3: ledger offline",
                    decision: .dead
                )
            )
        }
    }

    @Test func filtersShowReplayAndPurge() async throws {
        try await kill("evt_old", type: "invoice.paid", failedAt: Date().addingTimeInterval(-3 * 86400))
        try await kill("evt_new", type: "customer.created", failedAt: Date().addingTimeInterval(-60))

        let all = try await cli("dlq", "--json")
        let letters = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [[String: Any]])
        #expect(letters.count == 4)
        let mailer = try await cli("dlq", "--route", "mailer")
        #expect(mailer.stdout.split(separator: "\n").count == 3, "a header and two rows: \(mailer.stdout)")
        let mailerJSON = try await cli("dlq", "--route", "mailer", "--json")
        #expect(
            (try JSONSerialization.jsonObject(with: Data(mailerJSON.stdout.utf8)) as? [[String: Any]])?.map { $0["route"] as? String } == [
                "mailer", "mailer",
            ]
        )
        let invoices = try await cli("dlq", "--type", "invoice.*", "--json")
        #expect(
            (try JSONSerialization.jsonObject(with: Data(invoices.stdout.utf8)) as? [[String: Any]])?.map { $0["id"] as? String } == [
                "evt_old", "evt_old",
            ]
        )
        let recent = try await cli("dlq", "--since", "1h", "--json")
        #expect((try JSONSerialization.jsonObject(with: Data(recent.stdout.utf8)) as? [[String: Any]])?.count == 2)

        let shown = try await cli("dlq", "show", "evt_new")
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("route ledger: dead, 1 attempt(s)"), "\(shown.stdout)")
        #expect(shown.stdout.contains("failed  0 ms  exit status 3: ledger offline"), "\(shown.stdout)")
        #expect(try await cli("dlq", "show", "evt_missing").status == 1)

        let replayed = try await cli("replay", "--route", "mailer")
        #expect(replayed.stdout.contains("replayed 2 deliveries"), "\(replayed.stdout) \(replayed.stderr)")
        #expect(try await inbox.deadLetters(limit: 10).map(\.route).sorted() == ["ledger", "ledger"])
        #expect(try await cli("replay").status != 0, "a replay needs a selection")

        let refused = try await cli("dlq", "purge")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--older-than is required"))
        let purged = try await cli("dlq", "purge", "--older-than", "1d")
        #expect(purged.stdout == "purged 1 dead delivery\n")
        #expect(try await inbox.deadLetters(limit: 10).map(\.id) == ["evt_new"])
        #expect(try await inbox.eventDetails(id: "evt_old", source: nil).first?.deliveries.map(\.route) == ["mailer"], "the rest of the event stays")
    }
}
