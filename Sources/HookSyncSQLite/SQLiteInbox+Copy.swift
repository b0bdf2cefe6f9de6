import Foundation
import GRDB
import HookSyncCore

extension SQLiteInbox {
    func exportEvents(after position: Int64, limit: Int) async throws -> (events: [ExportedEvent], next: Int64?) {
        try await flushArrivals()
        return try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM event WHERE id > ? ORDER BY id LIMIT ?", arguments: [position, limit])
            let events = try rows.map { row in
                let rowid: Int64 = row["id"]
                let deliveries = try Row.fetchAll(db, sql: "SELECT * FROM delivery WHERE event_rowid = ? ORDER BY route", arguments: [rowid])
                    .map { delivery in
                        let id: Int64 = delivery["id"]
                        let history = try Row.fetchAll(db, sql: "SELECT * FROM attempt WHERE delivery_id = ? ORDER BY id", arguments: [id])
                            .map { attempt in
                                AttemptDetail(
                                    startedAt: Date(timeIntervalSince1970: attempt["started_at"]),
                                    durationMs: attempt["duration_ms"],
                                    outcome: attempt["outcome"],
                                    error: attempt["error"]
                                )
                            }
                        let letter = try Row.fetchOne(db, sql: "SELECT * FROM dead_letter WHERE delivery_id = ?", arguments: [id]).map { letter in
                            DeadLetterRecord(
                                failedAt: Date(timeIntervalSince1970: letter["failed_at"]),
                                attempts: letter["attempts"],
                                lastError: letter["last_error"]
                            )
                        }
                        return ExportedDelivery(
                            route: delivery["route"],
                            state: DeliveryState(rawValue: delivery["state"]) ?? .pending,
                            attempts: delivery["attempts"],
                            nextAttemptAt: Date(timeIntervalSince1970: delivery["next_attempt_at"]),
                            lastError: delivery["last_error"],
                            replays: delivery["replays"],
                            updatedAt: Date(timeIntervalSince1970: delivery["updated_at"]),
                            orderKey: delivery["order_key"],
                            history: history,
                            deadLetter: letter
                        )
                    }
                return ExportedEvent(
                    source: row["source"],
                    eventID: row["event_id"],
                    dedupKey: row["dedup_key"],
                    type: row["type"],
                    occurredAt: (row["occurred_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                    receivedAt: Date(timeIntervalSince1970: row["received_at"]),
                    origin: EventOrigin(rawValue: row["origin"]) ?? .webhook,
                    arrivals: row["arrivals"],
                    lastArrivedAt: Date(timeIntervalSince1970: row["last_arrived_at"]),
                    headers: row["headers"],
                    body: Array(row["body"] as Data),
                    deliveries: deliveries,
                    awaitsWebhook: row["awaiting_webhook"]
                )
            }
            return (events, rows.count == limit ? rows.last?["id"] : nil)
        }
    }

    func importEvents(_ events: [ExportedEvent]) async throws -> Int {
        try await pool.durableWrite { db in
            var imported = 0
            for event in events {
                try db.execute(
                    sql: """
                        INSERT INTO event (source, event_id, dedup_key, type, occurred_at, received_at, origin, arrivals,
                            last_arrived_at, headers, body, awaiting_webhook)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, dedup_key) DO NOTHING
                        """,
                    arguments: [
                        event.source, event.eventID, event.dedupKey, event.type, event.occurredAt?.timeIntervalSince1970,
                        event.receivedAt.timeIntervalSince1970, event.origin.rawValue, event.arrivals,
                        event.lastArrivedAt.timeIntervalSince1970, event.headers, Data(event.body), event.awaitsWebhook,
                    ]
                )
                guard db.changesCount == 1 else { continue }
                imported += 1
                let rowid = db.lastInsertedRowID
                for delivery in event.deliveries {
                    try db.execute(
                        sql: """
                            INSERT INTO delivery (event_rowid, route, state, attempts, next_attempt_at, last_error, replays, updated_at,
                                order_key)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            rowid, delivery.route, delivery.state.rawValue, delivery.attempts, delivery.nextAttemptAt.timeIntervalSince1970,
                            delivery.lastError, delivery.replays, delivery.updatedAt.timeIntervalSince1970, delivery.orderKey,
                        ]
                    )
                    let id = db.lastInsertedRowID
                    for attempt in delivery.history {
                        try db.execute(
                            sql: "INSERT INTO attempt (delivery_id, started_at, duration_ms, outcome, error) VALUES (?, ?, ?, ?, ?)",
                            arguments: [id, attempt.startedAt.timeIntervalSince1970, attempt.durationMs, attempt.outcome, attempt.error]
                        )
                    }
                    if let letter = delivery.deadLetter {
                        try db.execute(
                            sql: "INSERT INTO dead_letter (delivery_id, failed_at, attempts, last_error) VALUES (?, ?, ?, ?)",
                            arguments: [id, letter.failedAt.timeIntervalSince1970, letter.attempts, letter.lastError]
                        )
                    }
                }
            }
            return imported
        }
    }

    func pollStates() async throws -> [String: PollState] {
        let sources = try await pool.read { db in try String.fetchAll(db, sql: "SELECT source FROM poll_state ORDER BY source") }
        var states: [String: PollState] = [:]
        for source in sources { states[source] = try await pollState(source: source) }
        return states
    }

    func importPollState(source: String, _ state: PollState) async throws {
        try await pool.durableWrite { db in
            try db.execute(
                sql: """
                    INSERT INTO poll_state (source, cursor, synced_until, last_poll_at, last_error, missed, health, health_reason)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                    ON CONFLICT (source) DO UPDATE SET cursor = ?2, synced_until = ?3, last_poll_at = ?4, last_error = ?5,
                        missed = ?6, health = ?7, health_reason = ?8
                    """,
                arguments: [
                    source, state.cursor, state.syncedUntil?.timeIntervalSince1970, state.lastPollAt?.timeIntervalSince1970,
                    state.lastError, state.missed, state.health.rawValue, state.healthReason,
                ]
            )
        }
    }
}
