import Foundation
import HookSync
import HookSyncCore
import Testing

/// `inbox copy` between the two backends, both ways: what arrives is what was there (events,
/// deliveries in every state, histories, dead letters, arrivals, cursors), dedup and pending
/// work carry on, and a second run copies nothing twice.
@Suite struct InboxCopyTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
    }

    static let t0 = InboxContractTests.t0

    /// An inbox holding a done, a retrying, a dead and a pending delivery, a repeat, an order
    /// key and a poll cursor.
    func fill(_ inbox: any Inbox) async throws {
        for id in ["evt_done", "evt_retry", "evt_dead", "evt_pending"] {
            _ = try await inbox.store(InboxContractTests.event(id, routes: ["r"], orderKey: id == "evt_pending" ? "cus_1" : nil))
        }
        _ = try await inbox.store(InboxContractTests.event("evt_done"))
        let claimed = try await inbox.claimDueDeliveries(routes: ["r"], limit: 3, now: Self.t0, lease: .seconds(60), owner: "node-a")
        for delivery in claimed {
            let decision: DeliveryPolicy.Decision =
                switch delivery.eventID {
                case "evt_done": .done
                case "evt_retry": .retry(after: .seconds(30))
                default: .dead
                }
            try await inbox.recordAttempt(
                AttemptRecord(
                    deliveryID: delivery.deliveryID,
                    leaseOwner: "node-a",
                    startedAt: Self.t0,
                    finishedAt: Self.t0.addingTimeInterval(0.25),
                    error: decision == .done ? nil : "exit status 1",
                    decision: decision
                )
            )
        }
        var polled = InboxContractTests.event("evt_polled", origin: .poll)
        polled.awaitsWebhook = true
        _ = try await inbox.storePage([polled], source: "shop", cursor: "evt_polled")
        try await inbox.recordPass(source: "shop", PollPassRecord(syncedUntil: Self.t0, polledAt: Self.t0, health: .healthy))
    }

    static func everything(_ inbox: any Inbox) async throws -> [ExportedEvent] {
        try await inbox.exportEvents(after: 0, limit: 1000).events.sorted { $0.eventID < $1.eventID }
    }

    @Test(arguments: [(InboxBackend.sqlite, InboxBackend.postgres), (InboxBackend.postgres, InboxBackend.sqlite)])
    func aCopyHoldsWhatTheSourceHeldAndCarriesOn(from: InboxBackend, to: InboxBackend) async throws {
        let source = try await ContractInbox(from, in: directory).inbox
        try await fill(source)
        let elsewhere = try TemporaryDirectory()
        let target = try await InboxFactory.open(try await to.location(elsewhere), access: .create)

        let summary = try await InboxCopy.run(from: source, to: target, pageSize: 2)
        #expect(summary.copied == 5)
        #expect(summary.pollStates == 1)
        let copied = try await Self.everything(target)
        #expect(copied == (try await Self.everything(source)))
        #expect(copied.first { $0.eventID == "evt_done" }?.arrivals == 2)
        #expect(copied.first { $0.eventID == "evt_dead" }?.deliveries.first?.deadLetter?.lastError == "exit status 1")
        #expect(try await target.pollState(source: "shop") == (try await source.pollState(source: "shop")))

        // Dedup, dead letters and pending work carry on in the target.
        #expect(try await target.store(InboxContractTests.event("evt_dead")) == .duplicate)
        #expect(try await target.deadLetters(limit: 10).map(\.id) == ["evt_dead"])
        let due = try await target.claimDueDeliveries(
            routes: ["r"],
            limit: 10,
            now: Self.t0.addingTimeInterval(60),
            lease: .seconds(60),
            owner: "node-b"
        )
        #expect(due.map(\.eventID).sorted() == ["evt_pending", "evt_polled", "evt_retry"])
        #expect(due.first { $0.eventID == "evt_retry" }?.attempt == 2, "attempts carry on")

        // The polled event still waits for its webhook in the target, and is judged there.
        #expect(copied.first { $0.eventID == "evt_polled" }?.awaitsWebhook == true)
        #expect(try await target.judgeMissedWebhooks(source: "shop", occurredBy: Self.t0.addingTimeInterval(1)).map(\.eventID) == ["evt_polled"])

        let again = try await InboxCopy.run(from: source, to: target)
        #expect(again.copied == 0)
        #expect(again.skipped == 5)
        try await target.shutdown()
    }
}
