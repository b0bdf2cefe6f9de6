import Foundation
import HookSyncCore
import PostgresNIO

extension PostgresInbox {
    func pollState(source: String) async throws -> PollState? {
        do {
            return try await rows(
                """
                SELECT cursor, synced_until, last_poll_at, last_error, missed, health, health_reason
                FROM poll_state WHERE source = \(source)
                """
            ).first.map { row in
                let (cursor, synced, polled, error, missed, health, reason) =
                    try row.decode((String?, Double?, Double?, String?, Int, String, String?).self)
                return PollState(
                    cursor: cursor,
                    syncedUntil: synced.map(Date.init(timeIntervalSince1970:)),
                    lastPollAt: polled.map(Date.init(timeIntervalSince1970:)),
                    lastError: error,
                    missed: missed,
                    health: SourceHealth.State(rawValue: health) ?? .healthy,
                    healthReason: reason
                )
            }
        } catch {
            throw PostgresInboxError("reading the poll state of \(source)", error)
        }
    }

    func recordPass(source: String, _ pass: PollPassRecord) async throws {
        do {
            _ = try await rows(
                """
                INSERT INTO poll_state (source, synced_until, last_poll_at, last_error, health, health_reason)
                VALUES (\(source), \(pass.syncedUntil?.timeIntervalSince1970), \(pass.polledAt.timeIntervalSince1970), \(pass.error),
                    \(pass.health.rawValue), \(pass.healthReason))
                ON CONFLICT (source) DO UPDATE SET
                    synced_until = COALESCE(excluded.synced_until, poll_state.synced_until), last_poll_at = excluded.last_poll_at,
                    last_error = excluded.last_error, health = excluded.health, health_reason = excluded.health_reason
                """
            )
        } catch {
            throw PostgresInboxError("recording a poll pass of \(source)", error)
        }
    }

    /// Another agent's webhooks reach the event rows within a second (its fold); this agent's
    /// are written first, so only a webhook at another agent in that last second can come too
    /// late for the judgment.
    func judgeMissedWebhooks(source: String, occurredBy cutoff: Date) async throws -> [MissedWebhook] {
        do {
            try await foldArrivals()
            let cutoff = cutoff.timeIntervalSince1970
            let logger = logger
            return try await pool.transaction { connection in
                let rows = try await connection.query(
                    """
                    WITH judged AS (
                        UPDATE event SET awaiting_webhook = false
                        WHERE source = \(source) AND awaiting_webhook AND occurred_at < \(cutoff)
                        RETURNING event_id, type, occurred_at
                    ),
                    counted AS (
                        INSERT INTO poll_state (source, missed) SELECT \(source), count(*) FROM judged HAVING count(*) > 0
                        ON CONFLICT (source) DO UPDATE SET missed = poll_state.missed + excluded.missed
                    )
                    SELECT event_id, type FROM judged ORDER BY occurred_at
                    """,
                    logger: logger
                ).collect()
                return try rows.map { row in
                    let (id, type) = try row.decode((String, String).self)
                    return MissedWebhook(eventID: id, type: type)
                }
            }
        } catch {
            throw PostgresInboxError("judging the missed webhooks of \(source)", error)
        }
    }
}
