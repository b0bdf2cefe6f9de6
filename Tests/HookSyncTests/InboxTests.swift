import Foundation
import GRDB
import Testing

@testable import HookSync

@Suite struct InboxTests {
    let directory: TemporaryDirectory
    let inbox: SQLiteInbox
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    init() throws {
        directory = try TemporaryDirectory()
        inbox = try SQLiteInbox(path: directory.file("data/inbox.sqlite"))
    }

    func event(_ id: String, routes: [String] = ["r"], type: String = "charge.succeeded", origin: EventOrigin = .webhook) -> IncomingEvent {
        IncomingEvent(
            source: "shop",
            eventID: id,
            type: type,
            occurredAt: t0,
            receivedAt: t0,
            origin: origin,
            headers: ["content-type": "application/json"],
            body: Array("{\"id\":\"\(id)\"}".utf8),
            routes: routes
        )
    }

    /// An inbox written before dedup keys existed keeps its events and their dedup behaviour.
    @Test func version1InboxUpgradesInPlace() async throws {
        let path = directory.file("old/inbox.sqlite")
        try FileManager.default.createDirectory(atPath: directory.file("old"), withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: path)
        try InboxMigrations.migrator.migrate(queue, upTo: "v1: events, deliveries, attempts, dead letters")
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO event (source, event_id, type, received_at, origin, last_arrived_at, headers, body)
                    VALUES ('shop', 'evt_old', 'charge.succeeded', 1800000000, 'webhook', 1800000000, '{}', X'7B7D');
                    INSERT INTO delivery (event_rowid, route, state, next_attempt_at, updated_at)
                    VALUES (last_insert_rowid(), 'r', 'pending', 1800000000, 1800000000);
                    """
            )
        }
        try queue.close()
        let upgraded = try SQLiteInbox(path: path, create: false)
        let detail = try #require(try await upgraded.eventDetails(id: "evt_old", source: "shop").first)
        #expect(detail.dedupKey == "evt_old")
        #expect(detail.deliveries.map(\.route) == ["r"])
        #expect(try await upgraded.store(event("evt_old")) == .duplicate)
        #expect(try await upgraded.store(event("evt_new")) == .stored)
    }

    @Test func eventsAreFoundByIdOrDedupKey() async throws {
        var first = event("gh-delivery")
        first.dedupKey = "1:gh-delivery"
        var second = event("gh-delivery")
        second.dedupKey = "2:gh-delivery"
        #expect(try await inbox.store(first) == .stored)
        #expect(try await inbox.store(second) == .stored)
        #expect(try await inbox.eventDetails(id: "gh-delivery", source: nil).count == 2)
        #expect(try await inbox.eventDetails(id: "2:gh-delivery", source: "shop").map(\.dedupKey) == ["2:gh-delivery"])
    }

    @Test func attemptHistoryIsBoundedPerDelivery() async throws {
        _ = try await inbox.store(event("evt_flaky"))
        for _ in 0..<(SQLiteInbox.attemptHistoryLimit + 10) {
            let claimed = try #require(
                try await inbox.claimDueDeliveries(routes: ["r"], limit: 1, now: t0 + 1, lease: .seconds(60), owner: "w").first
            )
            try await inbox.recordAttempt(
                AttemptRecord(
                    deliveryID: claimed.deliveryID,
                    leaseOwner: "w",
                    startedAt: t0,
                    finishedAt: t0,
                    error: "nope",
                    decision: .retry(after: .zero)
                )
            )
        }
        let delivery = try #require(try await inbox.eventDetails(id: "evt_flaky", source: nil).first?.deliveries.first)
        #expect(delivery.attempts == SQLiteInbox.attemptHistoryLimit + 10)
        #expect(delivery.history.count == SQLiteInbox.attemptHistoryLimit)
    }

    @Test func commitsAreFullySynchronous() async throws {
        #expect(try await inbox.writerSynchronousMode() == 2)  // FULL
        // Claims commit unsynced; the writer is FULL again for what follows.
        _ = try await inbox.store(event("evt_claimed"))
        let claimed = try await inbox.claimDueDeliveries(routes: ["r"], limit: 1, now: t0 + 1, lease: .seconds(60), owner: "test")
        #expect(claimed.count == 1)
        #expect(try await inbox.writerSynchronousMode() == 2)
        let reopened = try SQLiteInbox(path: inbox.path, create: false)
        #expect(try await reopened.writerSynchronousMode() == 2)
    }

    @Test func storingTwiceIsANoOpThatCountsArrivals() async throws {
        #expect(try await inbox.store(event("evt_1")) == .stored)
        var again = event("evt_1", origin: .poll)
        again.body = Array("{\"different\":true}".utf8)
        #expect(try await inbox.store(again) == .duplicate)
        let details = try await inbox.eventDetails(id: "evt_1", source: nil)
        #expect(details.count == 1)
        #expect(details[0].summary.arrivals == 2)
        #expect(details[0].summary.origin == .webhook)
        #expect(details[0].body == "{\"id\":\"evt_1\"}")
        #expect(details[0].deliveries.count == 1)
    }

    /// A retry storm must not cost commits: another connection sees no change until an event
    /// that is new commits, and that commit carries the counted arrivals.
    @Test func duplicatesWriteNothingUntilTheNextStoredEvent() async throws {
        #expect(try await inbox.store(event("evt_1")) == .stored)
        let observer = try DatabaseQueue(path: inbox.path)
        func dataVersion() throws -> Int? { try observer.read { db in try Int.fetchOne(db, sql: "PRAGMA data_version") } }
        func walSize() throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: inbox.path + "-wal")[.size] as? NSNumber)?.intValue ?? -1
        }
        func storedArrivals() throws -> Int? {
            try observer.read { db in try Int.fetchOne(db, sql: "SELECT arrivals FROM event WHERE event_id = 'evt_1'") }
        }
        let version = try dataVersion()
        let wal = try walSize()
        for _ in 0..<3 { #expect(try await inbox.store(event("evt_1")) == .duplicate) }
        #expect(try dataVersion() == version, "a duplicate committed something")
        #expect(try walSize() == wal)
        #expect(try storedArrivals() == 1)

        #expect(try await inbox.store(event("evt_2")) == .stored)
        #expect(try dataVersion() != version)
        #expect(try storedArrivals() == 4, "the next stored event's commit carries the counted arrivals")
        #expect(try await inbox.store(event("evt_2")) == .duplicate)
        #expect(try await inbox.eventDetails(id: "evt_2", source: nil).first?.summary.arrivals == 2, "readers fold the tally first")
    }

    @Test func concurrentStoresOfOneEventStoreItOnce() async throws {
        let results = try await withThrowingTaskGroup(of: StoreResult.self) { group in
            for _ in 0..<20 { group.addTask { try await inbox.store(event("evt_same")) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter { $0 == .stored }.count == 1)
        #expect(results.filter { $0 == .duplicate }.count == 19)
        let events = try await inbox.events(EventQuery())
        #expect(events.count == 1)
        #expect(events[0].arrivals == 20)
    }

    @Test func concurrentStoresOfManyEventsAllLand() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 { group.addTask { _ = try await inbox.store(event("evt_\(index)")) } }
            try await group.waitForAll()
        }
        #expect(try await inbox.events(EventQuery(limit: 1000)).count == 200)
    }

    @Test func claimLeasesDueDeliveriesOnceAndRecordsOutcomes() async throws {
        _ = try await inbox.store(event("evt_a", routes: ["r", "s"]))
        let first = try await inbox.claimDueDeliveries(routes: ["r", "s"], limit: 10, now: t0, lease: .seconds(60), owner: "w1")
        #expect(first.map(\.route).sorted() == ["r", "s"])
        #expect(first.allSatisfy { $0.attempt == 1 && $0.eventID == "evt_a" && $0.body == Array("{\"id\":\"evt_a\"}".utf8) })
        // Leased deliveries are not handed out again, and unknown routes are not claimed.
        #expect(try await inbox.claimDueDeliveries(routes: ["r", "s"], limit: 10, now: t0, lease: .seconds(60), owner: "w2").isEmpty)
        #expect(try await inbox.nextDueDate(routes: ["r", "s"], after: t0) == nil)

        let r = try #require(first.first { $0.route == "r" })
        let s = try #require(first.first { $0.route == "s" })
        try await inbox.recordAttempt(
            AttemptRecord(deliveryID: r.deliveryID, leaseOwner: "w1", startedAt: t0, finishedAt: t0, error: nil, decision: .done)
        )
        try await inbox.recordAttempt(
            AttemptRecord(
                deliveryID: s.deliveryID,
                leaseOwner: "w1",
                startedAt: t0,
                finishedAt: t0,
                error: "exit status 1",
                decision: .retry(after: .seconds(5))
            )
        )
        // A worker that lost the lease cannot overwrite the outcome.
        try await inbox.recordAttempt(
            AttemptRecord(deliveryID: r.deliveryID, leaseOwner: "w2", startedAt: t0, finishedAt: t0, error: "late", decision: .dead)
        )

        #expect(try await inbox.nextDueDate(routes: ["s"], after: t0) == t0.addingTimeInterval(5))
        #expect(try await inbox.nextDueDate(routes: ["s"], after: t0.addingTimeInterval(5)) == nil, "due already: passed over")
        #expect(try await inbox.claimDueDeliveries(routes: ["s"], limit: 10, now: t0.addingTimeInterval(4), lease: .seconds(60), owner: "w1").isEmpty)
        let retry = try await inbox.claimDueDeliveries(routes: ["s"], limit: 10, now: t0.addingTimeInterval(5), lease: .seconds(60), owner: "w1")
        #expect(retry.map(\.attempt) == [2])

        let detail = try #require(try await inbox.eventDetails(id: "evt_a", source: "shop").first)
        #expect(detail.summary.state == .retrying)
        #expect(detail.deliveries.first { $0.route == "r" }?.state == .done)
        #expect(detail.deliveries.first { $0.route == "r" }?.history.map(\.outcome) == ["ok"])
        #expect(detail.deliveries.first { $0.route == "s" }?.lastError == "exit status 1")
    }

    @Test func expiredLeasesAreClaimableAndReleaseClearsThem() async throws {
        _ = try await inbox.store(event("evt_l"))
        #expect(try await inbox.claimDueDeliveries(routes: ["r"], limit: 1, now: t0, lease: .seconds(10), owner: "dead-agent").count == 1)
        #expect(
            try await inbox.claimDueDeliveries(routes: ["r"], limit: 1, now: t0.addingTimeInterval(11), lease: .seconds(10), owner: "w").count == 1
        )
        #expect(try await inbox.releaseAllLeases() == 1)
        let again = try await inbox.claimDueDeliveries(routes: ["r"], limit: 1, now: t0.addingTimeInterval(11), lease: .seconds(10), owner: "w")
        #expect(again.map(\.attempt) == [3])
        let history = try #require(try await inbox.eventDetails(id: "evt_l", source: nil).first?.deliveries.first?.history)
        #expect(history.map(\.outcome) == ["interrupted"])
    }

    @Test func deadLettersAreListedAndReplayResetsAttempts() async throws {
        _ = try await inbox.store(event("evt_d"))
        _ = try await inbox.store(event("evt_ok"))
        for delivery in try await inbox.claimDueDeliveries(routes: ["r"], limit: 10, now: t0, lease: .seconds(60), owner: "w") {
            let dies = delivery.eventID == "evt_d"
            try await inbox.recordAttempt(
                AttemptRecord(
                    deliveryID: delivery.deliveryID,
                    leaseOwner: "w",
                    startedAt: t0,
                    finishedAt: t0,
                    error: dies ? "boom" : nil,
                    decision: dies ? .dead : .done
                )
            )
        }
        let dead = try await inbox.deadLetters(limit: 10)
        #expect(dead.map(\.id) == ["evt_d"])
        #expect(dead[0].lastError == "boom")
        #expect(dead[0].attempts == 1)
        #expect(try await inbox.events(EventQuery(state: .dead)).map(\.id) == ["evt_d"])
        #expect(try await inbox.events(EventQuery(state: .done)).map(\.id) == ["evt_ok"])

        #expect(try await inbox.replay(.events(["evt_ok"], source: nil), now: t0) == 0)
        #expect(try await inbox.replay(.events(["evt_d"], source: "other"), now: t0) == 0)
        #expect(try await inbox.replay(.events(["evt_d"], source: "shop"), now: t0) == 1)
        #expect(try await inbox.deadLetters(limit: 10).isEmpty)
        let detail = try #require(try await inbox.eventDetails(id: "evt_d", source: nil).first)
        #expect(detail.summary.state == .pending)
        #expect(detail.deliveries[0].attempts == 0)
        #expect(detail.deliveries[0].replays == 1)
        #expect(detail.deliveries[0].history.count == 1)
        #expect(try await inbox.claimDueDeliveries(routes: ["r"], limit: 10, now: t0, lease: .seconds(60), owner: "w").map(\.eventID) == ["evt_d"])
    }

    @Test func eventWithoutRoutesIsDoneAndStatusCountsByState() async throws {
        _ = try await inbox.store(event("evt_none", routes: []))
        _ = try await inbox.store(event("evt_wait", routes: ["r"]))
        let events = try await inbox.events(EventQuery())
        #expect(events.first { $0.id == "evt_none" }?.state == .done)
        #expect(events.first { $0.id == "evt_wait" }?.state == .pending)
        let status = try await inbox.status()
        #expect(status.sources.map(\.source) == ["shop"])
        #expect(status.sources[0].byState == ["done": 1, "pending": 1])
        #expect(status.routes.map(\.route) == ["r"])
        #expect(status.routes[0].pending == 1)
        #expect(status.routes[0].oldestPendingAt == t0)
    }

    @Test func eventListingFiltersBySourceAndLimitsNewestFirst() async throws {
        for index in 0..<3 { _ = try await inbox.store(event("evt_\(index)")) }
        var other = event("evt_other")
        other.source = "crm"
        _ = try await inbox.store(other)
        #expect(try await inbox.events(EventQuery(source: "crm")).map(\.id) == ["evt_other"])
        #expect(try await inbox.events(EventQuery(source: "shop", limit: 2)).map(\.id) == ["evt_2", "evt_1"])
        #expect(try await inbox.events(EventQuery(source: "none")).isEmpty)
    }

    @Test func aSecondConnectionSeesAndChangesTheSameInbox() async throws {
        // The agent and the CLI each open the file; both must see one another's commits.
        let cli = try SQLiteInbox(path: inbox.path, create: false)
        _ = try await inbox.store(event("evt_x"))
        #expect(try await cli.events(EventQuery()).map(\.id) == ["evt_x"])
        #expect(try await cli.store(event("evt_x")) == .duplicate)
        // Each process counts its own re-arrivals and writes them when it next commits.
        try await cli.flushArrivals()
        #expect(try await inbox.eventDetails(id: "evt_x", source: nil).first?.summary.arrivals == 2)
    }

    @Test func openingAMissingInboxForReadingFailsClearly() throws {
        let error = try #require(throws: InboxError.self) { try SQLiteInbox(path: directory.file("nope/inbox.sqlite"), create: false) }
        #expect(error.description.contains("hooksync run"))
    }
}
