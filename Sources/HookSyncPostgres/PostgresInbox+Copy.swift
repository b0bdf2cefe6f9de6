import Foundation
import HookSyncCore
import NIOCore
import PostgresNIO

extension PostgresInbox {
    func exportEvents(after position: Int64, limit: Int) async throws -> (events: [ExportedEvent], next: Int64?) {
        do {
            try await foldArrivals()
            let rows = try await rows(
                """
                SELECT id, source, event_id, dedup_key, type, occurred_at, received_at, origin, arrivals, last_arrived_at, headers, body,
                    awaiting_webhook
                FROM event WHERE id > \(position) ORDER BY id LIMIT \(limit)
                """
            )
            var events: [ExportedEvent] = []
            var last: Int64?
            for row in rows {
                let (id, source, eventID, dedupKey, type, occurred, received, origin, arrivals, lastArrived, headers, body, awaits) =
                    try row.decode((Int64, String, String, String, String, Double?, Double, String, Int, Double, String, ByteBuffer, Bool).self)
                last = id
                var deliveries: [ExportedDelivery] = []
                for delivery in try await self.rows(
                    """
                    SELECT d.id, d.route, d.state, d.attempts, d.next_attempt_at, d.last_error, d.replays, d.updated_at, d.order_key,
                        l.failed_at, l.attempts, l.last_error
                    FROM delivery d LEFT JOIN dead_letter l ON l.delivery_id = d.id WHERE d.event_rowid = \(id) ORDER BY d.route
                    """
                ) {
                    let (deliveryID, route, state, attempts, next, lastError, replays, updated, orderKey, failedAt, letterAttempts, letterError) =
                        try delivery.decode((Int64, String, String, Int, Double, String?, Int, Double, String?, Double?, Int?, String?).self)
                    let history = try await history(of: deliveryID)
                    deliveries.append(
                        ExportedDelivery(
                            route: route,
                            state: DeliveryState(rawValue: state) ?? .pending,
                            attempts: attempts,
                            nextAttemptAt: Date(timeIntervalSince1970: next),
                            lastError: lastError,
                            replays: replays,
                            updatedAt: Date(timeIntervalSince1970: updated),
                            orderKey: orderKey,
                            history: history,
                            deadLetter: failedAt.map { failed in
                                DeadLetterRecord(
                                    failedAt: Date(timeIntervalSince1970: failed),
                                    attempts: letterAttempts ?? attempts,
                                    lastError: letterError ?? ""
                                )
                            }
                        )
                    )
                }
                events.append(
                    ExportedEvent(
                        source: source,
                        eventID: eventID,
                        dedupKey: dedupKey,
                        type: type,
                        occurredAt: occurred.map(Date.init(timeIntervalSince1970:)),
                        receivedAt: Date(timeIntervalSince1970: received),
                        origin: EventOrigin(rawValue: origin) ?? .webhook,
                        arrivals: arrivals,
                        lastArrivedAt: Date(timeIntervalSince1970: lastArrived),
                        headers: headers,
                        body: Array(body.readableBytesView),
                        deliveries: deliveries,
                        awaitsWebhook: awaits
                    )
                )
            }
            return (events, rows.count == limit ? last : nil)
        } catch {
            throw PostgresInboxError("exporting events", error)
        }
    }

    func importEvents(_ events: [ExportedEvent]) async throws -> Int {
        let logger = logger
        do {
            return try await pool.transaction { connection in
                var imported = 0
                for event in events {
                    guard
                        let rowid = try await connection.query(
                            """
                            INSERT INTO event (source, event_id, dedup_key, type, occurred_at, received_at, origin, arrivals,
                                last_arrived_at, headers, body, awaiting_webhook)
                            VALUES (\(event.source), \(event.eventID), \(event.dedupKey), \(event.type), \(event.occurredAt?.timeIntervalSince1970),
                                \(event.receivedAt.timeIntervalSince1970), \(event.origin.rawValue), \(event.arrivals),
                                \(event.lastArrivedAt.timeIntervalSince1970), \(event.headers), \(ByteBuffer(bytes: event.body)),
                                \(event.awaitsWebhook))
                            ON CONFLICT (source, dedup_key) DO NOTHING RETURNING id
                            """,
                            logger: logger
                        ).collect().first?.decode(Int64.self)
                    else { continue }
                    imported += 1
                    for delivery in event.deliveries {
                        let id =
                            try await connection.query(
                                """
                                INSERT INTO delivery (event_rowid, route, state, attempts, next_attempt_at, last_error, replays, updated_at, order_key)
                                VALUES (\(rowid), \(delivery.route), \(delivery.state.rawValue), \(delivery.attempts),
                                    \(delivery.nextAttemptAt.timeIntervalSince1970), \(delivery.lastError), \(delivery.replays),
                                    \(delivery.updatedAt.timeIntervalSince1970), \(delivery.orderKey))
                                RETURNING id
                                """,
                                logger: logger
                            ).collect().first?.decode(Int64.self) ?? 0
                        for attempt in delivery.history {
                            try await connection.query(
                                """
                                INSERT INTO attempt (delivery_id, started_at, duration_ms, outcome, error)
                                VALUES (\(id), \(attempt.startedAt.timeIntervalSince1970), \(attempt.durationMs), \(attempt.outcome), \(attempt.error))
                                """,
                                logger: logger
                            )
                        }
                        if let letter = delivery.deadLetter {
                            try await connection.query(
                                """
                                INSERT INTO dead_letter (delivery_id, failed_at, attempts, last_error)
                                VALUES (\(id), \(letter.failedAt.timeIntervalSince1970), \(letter.attempts), \(letter.lastError))
                                """,
                                logger: logger
                            )
                        }
                    }
                }
                if imported > 0 { try await connection.query("SELECT pg_notify(\(PostgresSchema.workChannel), '')", logger: logger) }
                return imported
            }
        } catch {
            throw PostgresInboxError("importing events", error)
        }
    }

    func pollStates() async throws -> [String: PollState] {
        let sources: [String]
        do {
            sources = try await rows("SELECT source FROM poll_state ORDER BY source").map { try $0.decode(String.self) }
        } catch {
            throw PostgresInboxError("listing poll states", error)
        }
        var states: [String: PollState] = [:]
        for source in sources { states[source] = try await pollState(source: source) }
        return states
    }

    func importPollState(source: String, _ state: PollState) async throws {
        do {
            _ = try await rows(
                """
                INSERT INTO poll_state (source, cursor, synced_until, last_poll_at, last_error, missed, health, health_reason)
                VALUES (\(source), \(state.cursor), \(state.syncedUntil?.timeIntervalSince1970), \(state.lastPollAt?.timeIntervalSince1970),
                    \(state.lastError), \(state.missed), \(state.health.rawValue), \(state.healthReason))
                ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, synced_until = excluded.synced_until,
                    last_poll_at = excluded.last_poll_at, last_error = excluded.last_error, missed = excluded.missed,
                    health = excluded.health, health_reason = excluded.health_reason
                """
            )
        } catch {
            throw PostgresInboxError("copying the poll state of \(source)", error)
        }
    }
}
