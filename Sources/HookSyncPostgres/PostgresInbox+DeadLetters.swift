import Foundation
import HookSyncCore
import Logging
import PostgresNIO

extension PostgresInbox {
    func deadLetters(_ filter: DeadLetterFilter, limit: Int) async throws -> [DeadLetter] {
        let logger = logger
        do {
            return Array(
                try await pool.withConnection { connection in try await Self.deadLetterRows(filter, connection, logger: logger) }
                    .prefix(limit)
            )
        } catch {
            throw PostgresInboxError("listing dead letters", error)
        }
    }

    /// Dead letters matching `filter`, newest first; the type glob is applied here, where its
    /// matching is defined, as the SQLite inbox does.
    static func deadLetterRows(
        _ filter: DeadLetterFilter,
        _ connection: PostgresConnection,
        logger: Logger,
        lock: Bool = false
    )
        async throws -> [DeadLetter]
    {
        let rows = try await connection.query(
            """
            SELECT l.delivery_id, l.failed_at, l.attempts, l.last_error, d.route, e.source, e.event_id, e.type, e.origin, e.received_at
            FROM dead_letter l JOIN delivery d ON d.id = l.delivery_id JOIN event e ON e.id = d.event_rowid
            WHERE (cardinality(\(filter.events)::text[]) = 0 OR e.event_id = ANY(\(filter.events)::text[])
                    OR e.dedup_key = ANY(\(filter.events)::text[]))
              AND (\(filter.source)::text IS NULL OR e.source = \(filter.source))
              AND (\(filter.route)::text IS NULL OR d.route = \(filter.route))
              AND (\(filter.since?.timeIntervalSince1970)::float8 IS NULL OR l.failed_at >= \(filter.since?.timeIntervalSince1970))
              AND (\(filter.before?.timeIntervalSince1970)::float8 IS NULL OR l.failed_at < \(filter.before?.timeIntervalSince1970))
            ORDER BY l.failed_at DESC, l.delivery_id DESC
            \(unescaped: lock ? "FOR UPDATE OF l, d" : "")
            """,
            logger: logger
        ).collect()
        return try rows.compactMap { row in
            let (id, failed, attempts, lastError, route, source, eventID, type, origin, received) =
                try row.decode((Int64, Double, Int, String, String, String, String, String, String, Double).self)
            guard filter.type.map({ $0.matches(type) }) ?? true else { return nil }
            return DeadLetter(
                deliveryID: id,
                source: source,
                id: eventID,
                type: type,
                route: route,
                attempts: attempts,
                lastError: lastError,
                failedAt: Date(timeIntervalSince1970: failed),
                origin: EventOrigin(rawValue: origin) ?? .webhook,
                receivedAt: Date(timeIntervalSince1970: received)
            )
        }
    }

    /// Deletes dead letters matching `filter` with their deliveries; an event left with no
    /// delivery goes too. Only `hooksync dlq purge` calls this: dead letters are never pruned.
    func purgeDeadLetters(_ filter: DeadLetterFilter) async throws -> Int {
        let logger = logger
        do {
            return try await pool.transaction { connection in
                let ids = try await Self.deadLetterRows(filter, connection, logger: logger, lock: true).map(\.deliveryID)
                guard !ids.isEmpty else { return 0 }
                let purged = try await connection.query(
                    """
                    WITH gone AS (DELETE FROM delivery WHERE id = ANY(\(ids)::int8[]) RETURNING event_rowid),
                    orphans AS (
                        DELETE FROM event WHERE id IN (SELECT event_rowid FROM gone)
                          AND NOT EXISTS (SELECT 1 FROM delivery WHERE event_rowid = event.id AND id != ALL(\(ids)::int8[])))
                    SELECT COUNT(*)::int8 FROM gone
                    """,
                    logger: logger
                ).collect()
                return try purged.first?.decode(Int.self) ?? 0
            }
        } catch {
            throw PostgresInboxError("purging dead letters", error)
        }
    }

    func replay(_ selection: ReplaySelection, now: Date) async throws -> Int {
        let logger = logger
        let nowValue = now.timeIntervalSince1970
        do {
            return try await pool.transaction { connection in
                let ids = try await Self.deadLetterRows(selection.filter, connection, logger: logger, lock: true).map(\.deliveryID)
                guard !ids.isEmpty else { return 0 }
                let replayed = try await connection.query(
                    """
                    WITH cleared AS (DELETE FROM dead_letter WHERE delivery_id = ANY(\(ids)::int8[]))
                    UPDATE delivery SET state = 'pending', attempts = 0, next_attempt_at = \(nowValue), last_error = NULL,
                        replays = replays + 1, updated_at = \(nowValue)
                    WHERE id = ANY(\(ids)::int8[]) AND state = 'dead'
                    RETURNING id
                    """,
                    logger: logger
                ).collect()
                // Whichever agent is idle picks the replayed deliveries up now.
                try await connection.query("SELECT pg_notify(\(PostgresSchema.workChannel), '')", logger: logger)
                return replayed.count
            }
        } catch {
            throw PostgresInboxError("replaying dead letters", error)
        }
    }
}
