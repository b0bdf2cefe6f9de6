import Foundation
import GRDB
import HookSyncCore

extension SQLiteInbox {
    func deadLetters(_ filter: DeadLetterFilter, limit: Int) async throws -> [DeadLetter] {
        try await pool.read { db in
            try Self.deadLetterRows(db, filter, limit: limit).map { row in
                DeadLetter(
                    deliveryID: row["delivery_id"],
                    source: row["source"],
                    id: row["event_id"],
                    type: row["type"],
                    route: row["route"],
                    attempts: row["attempts"],
                    lastError: row["last_error"],
                    failedAt: Date(timeIntervalSince1970: row["failed_at"]),
                    origin: EventOrigin(rawValue: row["origin"]) ?? .webhook,
                    receivedAt: Date(timeIntervalSince1970: row["received_at"])
                )
            }
        }
    }

    /// Dead letters matching `filter`, newest first; the type glob is applied here.
    static func deadLetterRows(_ db: Database, _ filter: DeadLetterFilter, limit: Int? = nil) throws -> [Row] {
        let condition = filter.condition
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT l.delivery_id, l.failed_at, l.attempts, l.last_error, d.route,
                    e.source, e.event_id, e.type, e.origin, e.received_at
                FROM dead_letter l JOIN delivery d ON d.id = l.delivery_id JOIN event e ON e.id = d.event_rowid
                WHERE \(condition.sql)
                ORDER BY l.failed_at DESC, l.delivery_id DESC
                """,
            arguments: condition.arguments
        ).filter { row in filter.type.map { $0.matches(row["type"]) } ?? true }
        return limit.map { Array(rows.prefix($0)) } ?? rows
    }

    /// Deletes dead letters matching `filter` with their deliveries; an event left with no
    /// delivery goes too. Only `hooksync dlq purge` calls this: dead letters are never pruned.
    func purgeDeadLetters(_ filter: DeadLetterFilter) async throws -> Int {
        try await pool.durableWrite { db in
            let ids: [Int64] = try Self.deadLetterRows(db, filter).map { $0["delivery_id"] }
            guard !ids.isEmpty else { return 0 }
            let marks = databaseQuestionMarks(count: ids.count)
            let events = try Int64.fetchAll(
                db,
                sql: "SELECT DISTINCT event_rowid FROM delivery WHERE id IN (\(marks))",
                arguments: StatementArguments(ids)
            )
            try db.execute(sql: "DELETE FROM delivery WHERE id IN (\(marks))", arguments: StatementArguments(ids))
            let purged = db.changesCount
            try db.execute(
                sql: """
                    DELETE FROM event WHERE id IN (\(databaseQuestionMarks(count: events.count)))
                      AND NOT EXISTS (SELECT 1 FROM delivery WHERE event_rowid = event.id)
                    """,
                arguments: StatementArguments(events)
            )
            return purged
        }
    }

    func replay(_ selection: ReplaySelection, now: Date) async throws -> Int {
        let nowValue = now.timeIntervalSince1970
        return try await pool.durableWrite { db in
            let ids: [Int64] = try Self.deadLetterRows(db, selection.filter).map { $0["delivery_id"] }
            guard !ids.isEmpty else { return 0 }
            let marks = databaseQuestionMarks(count: ids.count)
            try db.execute(
                sql: """
                    UPDATE delivery SET state = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL,
                        replays = replays + 1, updated_at = ?
                    WHERE id IN (\(marks)) AND state = 'dead'
                    """,
                arguments: StatementArguments([nowValue, nowValue] as [any DatabaseValueConvertible] + ids)
            )
            let replayed = db.changesCount
            try db.execute(sql: "DELETE FROM dead_letter WHERE delivery_id IN (\(marks))", arguments: StatementArguments(ids))
            return replayed
        }
    }

}
