import Foundation
import HookSyncCore
import Logging
import PostgresNIO

extension PostgresInbox {
    func store(_ event: IncomingEvent) async throws -> StoreResult {
        try await stores.submit(event)
    }

    func storePage(_ events: [IncomingEvent], source: String, cursor: String?, leader: String?) async throws -> [StoreResult] {
        let ingest = PostgresIngest(pool: pool, arrivals: arrivals)
        let logger = logger
        do {
            let results = try await pool.transaction { connection in
                // The leadership row stays locked until the commit: no heartbeat can hand the
                // source to another agent between this check and the cursor's move.
                if let leader, try await !Self.leads(leader, source: source, connection, logger: logger) {
                    throw LeadershipLost(source: source, agent: leader)
                }
                let results = try await ingest.insert(events, connection)
                if let cursor {
                    try await connection.query(
                        """
                        INSERT INTO poll_state (source, cursor) VALUES (\(source), \(cursor))
                        ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor
                        """,
                        logger: logger
                    )
                }
                return results
            }
            await ingest.countRepeats(events, results)
            return results
        } catch {
            if let lost = PostgresFailure.thrownInTransaction(error) as? LeadershipLost { throw lost }
            throw PostgresInboxError("storing a page of \(source)", error)
        }
    }
}

/// The write half of ``PostgresInbox/store(_:)``: a batch in one transaction holding one
/// statement, ``StoreEventsStatement``; repeats counted once it committed.
struct PostgresIngest: Sendable {
    let pool: PostgresPool
    let arrivals: ArrivalCounts
    var logger: Logger { pool.logger }

    func commit(_ events: [IncomingEvent]) async throws -> [StoreResult] {
        do {
            let statement = StoreEventsStatement(events)
            let results = statement.results(try await pool.commit(statement))
            await countRepeats(events, results)
            return results
        } catch {
            throw PostgresInboxError("storing events", error)
        }
    }

    /// Inserts each (source, dedup key) of `events` not stored yet, with its deliveries, in the
    /// transaction `connection` is in.
    func insert(_ events: [IncomingEvent], _ connection: PostgresConnection) async throws -> [StoreResult] {
        guard !events.isEmpty else { return [] }
        let statement = StoreEventsStatement(events)
        var stored: [ArrivalCounts.Key] = []
        for try await key in try await connection.execute(statement, logger: logger) { stored.append(key) }
        return statement.results(stored)
    }

    /// Counts each `.duplicate` of a committed batch as an arrival of its event, written later.
    func countRepeats(_ events: [IncomingEvent], _ results: [StoreResult]) async {
        let repeats = zip(events, results).filter { $0.1 == .duplicate }.map { event, _ in
            (key: event.arrivalKey, at: event.receivedAt.timeIntervalSince1970, byWebhook: event.origin == .webhook)
        }
        if !repeats.isEmpty { await arrivals.count(repeats) }
    }

    /// Writes the counted repeats in a transaction of their own, when there are any.
    func foldArrivals() async throws {
        let taken = await arrivals.take()
        guard !taken.isEmpty else { return }
        let entries = Array(taken)
        do {
            try await pool.transaction { connection in
                _ = try await connection.query(
                    """
                    UPDATE event SET arrivals = event.arrivals + t.n, last_arrived_at = greatest(event.last_arrived_at, t.at),
                        awaiting_webhook = event.awaiting_webhook AND NOT t.by_webhook
                    FROM unnest(\(entries.map(\.key.source))::text[], \(entries.map(\.key.dedupKey))::text[],
                        \(entries.map(\.value.arrivals))::int8[], \(entries.map(\.value.last))::float8[],
                        \(entries.map(\.value.byWebhook))::bool[]) AS t (source, dedup_key, n, at, by_webhook)
                    WHERE event.source = t.source AND event.dedup_key = t.dedup_key
                    """,
                    logger: logger
                )
            }
        } catch {
            await arrivals.restore(taken)
            throw error
        }
    }
}
