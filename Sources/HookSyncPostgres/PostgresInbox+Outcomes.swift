import Foundation
import HookSyncCore
import Logging
import PostgresNIO

extension PostgresInbox {
    func recordAttempt(_ record: AttemptRecord) async throws {
        do {
            try await attempts.submit(record)
        } catch {
            throw PostgresInboxError("recording an attempt", error)
        }
    }

    /// Attempts kept per delivery; older ones are dropped as new ones are recorded.
    static let attemptHistoryLimit = 50

    /// One outcome, within a transaction shared with the outcomes that finished alongside it;
    /// nothing happens unless `record.leaseOwner` still holds the lease.
    static func apply(_ record: AttemptRecord, _ connection: PostgresConnection, logger: Logger) async throws {
        let finished = record.finishedAt.timeIntervalSince1970
        let durationMs = record.durationMs
        let (state, nextAttempt) = record.outcome
        let rows = try await connection.query(
            """
            WITH updated AS (
                UPDATE delivery SET state = \(state.rawValue), next_attempt_at = COALESCE(\(nextAttempt), next_attempt_at),
                    last_error = \(record.error), lease_owner = NULL, lease_until = NULL, updated_at = \(finished)
                WHERE id = \(record.deliveryID) AND lease_owner = \(record.leaseOwner)
                RETURNING id, attempts, last_error),
            noted AS (
                INSERT INTO attempt (delivery_id, started_at, duration_ms, outcome, error)
                SELECT id, \(record.startedAt.timeIntervalSince1970), \(durationMs), \(record.error == nil ? "ok" : "failed"), \(record.error)
                FROM updated),
            dead AS (
                INSERT INTO dead_letter (delivery_id, failed_at, attempts, last_error)
                SELECT id, \(finished), attempts, COALESCE(last_error, '') FROM updated WHERE \(state == .dead)
                ON CONFLICT (delivery_id) DO UPDATE SET failed_at = excluded.failed_at,
                    attempts = excluded.attempts, last_error = excluded.last_error)
            SELECT id FROM updated
            """,
            logger: logger
        ).collect()
        guard !rows.isEmpty else { return }
        // The history is bounded: a delivery replayed for months keeps its latest attempts.
        try await connection.query(
            """
            DELETE FROM attempt WHERE delivery_id = \(record.deliveryID) AND id NOT IN (
                SELECT id FROM attempt WHERE delivery_id = \(record.deliveryID) ORDER BY id DESC LIMIT \(attemptHistoryLimit))
            """,
            logger: logger
        )
    }
}
