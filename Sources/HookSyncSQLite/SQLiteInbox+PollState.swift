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
                    INSERT INTO poll_state (source, synced_until, last_poll_at, last_error, health, health_reason)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                    ON CONFLICT (source) DO UPDATE SET
                        synced_until = COALESCE(?2, synced_until), last_poll_at = ?3, last_error = ?4,
                        health = ?5, health_reason = ?6
                    """,
                arguments: [
                    source, pass.syncedUntil?.timeIntervalSince1970, pass.polledAt.timeIntervalSince1970, pass.error,
                    pass.health.rawValue, pass.healthReason,
                ]
            )
        }
    }

    func judgeMissedWebhooks(source: String, occurredBy cutoff: Date) async throws -> [MissedWebhook] {
        try await pool.write { db in
            // Webhooks counted since the last stored event end their events' waits first.
            try ArrivalTally.fold(db)
            let arguments: StatementArguments = [source, cutoff.timeIntervalSince1970]
            let missed = try Row.fetchAll(
                db,
                sql: """
                    SELECT event_id, type FROM event WHERE source = ? AND awaiting_webhook = 1 AND occurred_at < ?
                    ORDER BY occurred_at
                    """,
                arguments: arguments
            ).map { MissedWebhook(eventID: $0["event_id"], type: $0["type"]) }
            guard !missed.isEmpty else { return [] }
            try db.execute(
                sql: "UPDATE event SET awaiting_webhook = 0 WHERE source = ? AND awaiting_webhook = 1 AND occurred_at < ?",
                arguments: arguments
            )
            try db.execute(
                sql: """
                    INSERT INTO poll_state (source, missed) VALUES (?, ?)
                    ON CONFLICT (source) DO UPDATE SET missed = missed + excluded.missed
                    """,
                arguments: [source, missed.count]
            )
            return missed
        }
    }
}
