import Foundation
import GRDB
import HookSyncCore

extension SQLiteInbox {
    func pollState(source: String) async throws -> PollState? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM poll_state WHERE source = ?", arguments: [source]) else {
                return nil
            }
            return PollState(
                cursor: row["cursor"],
                syncedUntil: (row["synced_until"] as Double?).map(Date.init(timeIntervalSince1970:)),
                lastPollAt: (row["last_poll_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                lastError: row["last_error"],
                missed: row["missed"],
                health: SourceHealth.State(rawValue: row["health"]) ?? .healthy,
                healthReason: row["health_reason"]
            )
        }
    }

    func recordPass(source: String, _ pass: PollPassRecord) async throws {
        try await pool.durableWrite { db in
            try db.execute(
                sql: """
                    INSERT INTO poll_state (source, synced_until, last_poll_at, last_error, missed, health, health_reason)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                    ON CONFLICT (source) DO UPDATE SET
                        synced_until = COALESCE(?2, synced_until), last_poll_at = ?3, last_error = ?4,
                        missed = missed + ?5, health = ?6, health_reason = ?7
                    """,
                arguments: [
                    source, pass.syncedUntil?.timeIntervalSince1970, pass.polledAt.timeIntervalSince1970, pass.error, pass.missed,
                    pass.health.rawValue, pass.healthReason,
                ]
            )
        }
    }
}
