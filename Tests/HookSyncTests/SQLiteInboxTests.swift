import Foundation
import GRDB
import Testing

@testable import HookSync
@testable import HookSyncCore
@testable import HookSyncSQLite

/// What is about SQLite itself: migrations, synced commits, the WAL, a second connection.
/// The backend-neutral behaviour is in `InboxContractTests`.
@Suite struct SQLiteInboxTests {
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
        try SQLiteMigrations.migrator.migrate(queue, upTo: "v1: events, deliveries, attempts, dead letters")
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

    @Test func aWriterLeftUnsyncedCommitsTheNextEventSyncedAnyway() async throws {
        // What a claim that failed to switch the writer back to FULL would leave behind.
        try await inbox.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        #expect(try await inbox.writerSynchronousMode() == 1)
        #expect(try await inbox.store(event("evt_after")) == .stored)
        #expect(try await inbox.writerSynchronousMode() == 2)
        let claimed = try #require(
            try await inbox.claimDueDeliveries(routes: ["r"], limit: 1, now: t0 + 1, lease: .seconds(60), owner: "w").first
        )
        try await inbox.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = OFF") }
        try await inbox.recordAttempt(
            AttemptRecord(deliveryID: claimed.deliveryID, leaseOwner: "w", startedAt: t0, finishedAt: t0, error: nil, decision: .done)
        )
        #expect(try await inbox.writerSynchronousMode() == 2)
    }

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

    /// One agent owns the file: it leads every source it polls, and its heartbeats write
    /// nothing (the data-directory lock, not the inbox, says which agent runs).
    @Test func heartbeatsGrantEverySourceAndWriteNothing() async throws {
        #expect(try await inbox.store(event("evt_1")) == .stored)
        let observer = try DatabaseQueue(path: inbox.path)
        func dataVersion() throws -> Int? { try observer.read { db in try Int.fetchOne(db, sql: "PRAGMA data_version") } }
        let version = try dataVersion()
        let agent = AgentIdentity(id: "node-a", host: "h", version: "1", startedAt: t0)
        #expect(try await inbox.heartbeat(agent, sources: ["shop", "crm"], term: .seconds(10)) == ["shop", "crm"])
        #expect(try await inbox.agents().map(\.leads) == [["crm", "shop"]])
        #expect(try await inbox.storePage([event("evt_p", origin: .poll)], source: "shop", cursor: "c", leader: "node-a") == [.stored])
        #expect(try dataVersion() != version, "the page was stored")
        let afterPage = try dataVersion()
        for _ in 0..<3 { _ = try await inbox.heartbeat(agent, sources: ["shop"], term: .seconds(10)) }
        try await inbox.releaseLeadership(agent: "node-a")
        #expect(try dataVersion() == afterPage, "heartbeats wrote to the file")
        #expect(try await inbox.agents().map(\.leads) == [[]])
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

}
