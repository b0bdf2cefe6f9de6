import Foundation
import GRDB
import HookSyncCore

extension SQLiteInbox {
    static let summarySelect = """
        SELECT e.id AS rowid, e.source, e.event_id, e.type, e.origin, e.received_at, e.occurred_at, e.arrivals,
            COALESCE(SUM(d.attempts), 0) AS attempts, \(DeliveryState.rankSQL) AS state_rank
        FROM event e LEFT JOIN delivery d ON d.event_rowid = e.id
        """

    static func summary(_ row: Row) -> EventSummary {
        EventSummary(
            source: row["source"],
            id: row["event_id"],
            type: row["type"],
            state: DeliveryState(rank: row["state_rank"]),
            origin: EventOrigin(rawValue: row["origin"]) ?? .webhook,
            attempts: row["attempts"],
            arrivals: row["arrivals"],
            receivedAt: Date(timeIntervalSince1970: row["received_at"]),
            occurredAt: (row["occurred_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        )
    }

    func events(_ query: EventQuery) async throws -> [EventSummary] {
        try await flushArrivals()
        let rank = query.state?.rank
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    \(Self.summarySelect)
                    WHERE (?1 IS NULL OR e.source = ?1)
                    GROUP BY e.id
                    HAVING (?2 IS NULL OR state_rank = ?2)
                    ORDER BY e.id DESC LIMIT ?3
                    """,
                arguments: [query.source, rank, query.limit]
            ).map(Self.summary)
        }
    }

    func eventDetails(id: String, source: String?) async throws -> [EventDetail] {
        try await flushArrivals()
        return try await pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    \(Self.summarySelect)
                    WHERE (e.event_id = ?1 OR e.dedup_key = ?1) AND (?2 IS NULL OR e.source = ?2)
                    GROUP BY e.id ORDER BY e.id
                    """,
                arguments: [id, source]
            )
            return try rows.map { row in
                let rowid: Int64 = row["rowid"]
                let event = try Row.fetchOne(db, sql: "SELECT dedup_key, last_arrived_at, headers, body FROM event WHERE id = ?", arguments: [rowid])
                let headersJSON: String = event?["headers"] ?? "{}"
                let headers = (try? JSONDecoder().decode([String: String].self, from: Data(headersJSON.utf8))) ?? [:]
                let body: Data = event?["body"] ?? Data()
                let deliveries = try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM delivery WHERE event_rowid = ? ORDER BY route",
                    arguments: [rowid]
                ).map { delivery in
                    let deliveryID: Int64 = delivery["id"]
                    let state = DeliveryState(rawValue: delivery["state"]) ?? .pending
                    let history = try Row.fetchAll(
                        db,
                        sql: "SELECT * FROM attempt WHERE delivery_id = ? ORDER BY id",
                        arguments: [deliveryID]
                    ).map { attempt in
                        AttemptDetail(
                            startedAt: Date(timeIntervalSince1970: attempt["started_at"]),
                            durationMs: attempt["duration_ms"],
                            outcome: attempt["outcome"],
                            error: attempt["error"]
                        )
                    }
                    return DeliveryDetail(
                        id: deliveryID,
                        route: delivery["route"],
                        state: state,
                        attempts: delivery["attempts"],
                        nextAttemptAt: state == .pending || state == .retrying
                            ? Date(timeIntervalSince1970: delivery["next_attempt_at"]) : nil,
                        lastError: delivery["last_error"],
                        leased: (delivery["lease_owner"] as String?) != nil,
                        replays: delivery["replays"],
                        history: history
                    )
                }
                return EventDetail(
                    summary: Self.summary(row),
                    dedupKey: event?["dedup_key"] ?? "",
                    lastArrivedAt: Date(timeIntervalSince1970: event?["last_arrived_at"] ?? 0),
                    headers: headers,
                    body: String(decoding: body, as: UTF8.self),
                    deliveries: deliveries
                )
            }
        }
    }

    func status() async throws -> InboxStatus {
        try await flushArrivals()
        return try await pool.read { db in
            var sources: [String: InboxStatus.SourceCounts] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT source, state_rank, COUNT(*) AS n, MAX(received_at) AS last FROM (
                        SELECT e.source, e.received_at, \(DeliveryState.rankSQL) AS state_rank
                        FROM event e LEFT JOIN delivery d ON d.event_rowid = e.id GROUP BY e.id)
                    GROUP BY source, state_rank
                    """
            ) {
                let name: String = row["source"]
                var counts = sources[name] ?? .init(source: name, events: 0, byState: [:], lastReceivedAt: nil)
                let count: Int = row["n"]
                counts.events += count
                counts.byState[DeliveryState(rank: row["state_rank"]).rawValue, default: 0] += count
                let last = Date(timeIntervalSince1970: row["last"])
                counts.lastReceivedAt = max(counts.lastReceivedAt ?? last, last)
                sources[name] = counts
            }
            for row in try Row.fetchAll(
                db,
                sql: "SELECT source, origin, COUNT(*) AS n, SUM(arrivals - 1) AS duplicates FROM event GROUP BY source, origin"
            ) {
                let name: String = row["source"]
                sources[name]?.byOrigin[row["origin"]] = row["n"]
                sources[name]?.duplicates += row["duplicates"] as Int? ?? 0
            }
            var routes: [String: InboxStatus.RouteCounts] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT route, state, COUNT(*) AS n,
                        MIN(CASE WHEN state IN ('pending', 'retrying') THEN e.received_at END) AS oldest
                    FROM delivery d JOIN event e ON e.id = d.event_rowid GROUP BY route, state
                    """
            ) {
                let name: String = row["route"]
                var counts = routes[name] ?? .init(route: name, pending: 0, retrying: 0, dead: 0, done: 0, oldestPendingAt: nil)
                let count: Int = row["n"]
                if let state = DeliveryState(rawValue: row["state"]) { counts.set(state, count) }
                if let oldest = row["oldest"] as Double? {
                    let date = Date(timeIntervalSince1970: oldest)
                    counts.oldestPendingAt = min(counts.oldestPendingAt ?? date, date)
                }
                routes[name] = counts
            }
            return InboxStatus(
                sources: sources.values.sorted { $0.source < $1.source },
                routes: routes.values.sorted { $0.route < $1.route }
            )
        }
    }

    func contains(source: String, dedupKey: String) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM event WHERE source = ? AND dedup_key = ?", arguments: [source, dedupKey]) ?? false
        }
    }

    func lastWebhookArrival(source: String) async throws -> Date? {
        try await pool.read { db in
            try Double.fetchOne(
                db,
                sql: "SELECT MAX(received_at) FROM event WHERE source = ? AND origin = 'webhook'",
                arguments: [source]
            ).map(Date.init(timeIntervalSince1970:))
        }
    }
}
