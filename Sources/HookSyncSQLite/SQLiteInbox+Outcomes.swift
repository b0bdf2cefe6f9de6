import Foundation
import GRDB
import HookSyncCore

extension SQLiteInbox {
    func recordAttempt(_ record: AttemptRecord) async throws {
        try await attempts.submit(record)
    }

    /// One outcome, within a commit shared with the outcomes that finished alongside it.
    static func apply(_ record: AttemptRecord, _ db: Database) throws {
        let finished = record.finishedAt.timeIntervalSince1970
        let durationMs = record.durationMs
        let (state, nextAttempt) = record.outcome
        do {
            try db.executeCached(
                sql: """
                    UPDATE delivery SET state = ?, next_attempt_at = COALESCE(?, next_attempt_at),
                        last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
                    WHERE id = ? AND lease_owner = ?
                    """,
                arguments: [state.rawValue, nextAttempt, record.error, finished, record.deliveryID, record.leaseOwner]
            )
            guard db.changesCount == 1 else { return }
            try db.executeCached(
                sql: "INSERT INTO attempt (delivery_id, started_at, duration_ms, outcome, error) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    record.deliveryID, record.startedAt.timeIntervalSince1970, durationMs,
                    record.error == nil ? "ok" : "failed", record.error,
                ]
            )
            // The history is bounded: a delivery replayed for months keeps its latest attempts.
            try db.executeCached(
                sql: """
                    DELETE FROM attempt WHERE delivery_id = ?1 AND id NOT IN (
                        SELECT id FROM attempt WHERE delivery_id = ?1 ORDER BY id DESC LIMIT ?2)
                    """,
                arguments: [record.deliveryID, attemptHistoryLimit]
            )
            if state == .dead {
                try db.executeCached(
                    sql: """
                        INSERT INTO dead_letter (delivery_id, failed_at, attempts, last_error)
                        SELECT id, ?, attempts, COALESCE(last_error, '') FROM delivery WHERE id = ?
                        ON CONFLICT (delivery_id) DO UPDATE SET failed_at = excluded.failed_at,
                            attempts = excluded.attempts, last_error = excluded.last_error
                        """,
                    arguments: [finished, record.deliveryID]
                )
            }
        }
    }
}
