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
                INSERT INTO poll_state (source, synced_until, last_poll_at, last_error, missed, health, health_reason)
                VALUES (\(source), \(pass.syncedUntil?.timeIntervalSince1970), \(pass.polledAt.timeIntervalSince1970), \(pass.error),
                    \(pass.missed), \(pass.health.rawValue), \(pass.healthReason))
                ON CONFLICT (source) DO UPDATE SET
                    synced_until = COALESCE(excluded.synced_until, poll_state.synced_until), last_poll_at = excluded.last_poll_at,
                    last_error = excluded.last_error, missed = poll_state.missed + excluded.missed, health = excluded.health,
                    health_reason = excluded.health_reason
                """
            )
        } catch {
            throw PostgresInboxError("recording a poll pass of \(source)", error)
        }
    }
}
