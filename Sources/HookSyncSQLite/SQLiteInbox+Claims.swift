import Foundation
import GRDB
import HookSyncCore

extension SQLiteInbox {
    func claimDueDeliveries(
        routes: [String],
        limit: Int,
        now: Date,
        lease: Duration,
        owner: String
    ) async throws
        -> [ClaimedDelivery]
    {
        guard !routes.isEmpty, limit > 0 else { return [] }
        return try await pool.writeWithoutTransaction { db in
            // A lease needs no fsync of its own: the agent takes back its own leases when it
            // starts, so a lease lost with the power changes nothing. The next synced commit (an
            // outcome, an event) makes it durable anyway; outcomes and events stay FULL.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            var claimed: [ClaimedDelivery] = []
            let result = Result {
                try db.inTransaction(.immediate) {
                    claimed = try Self.claim(routes: routes, limit: limit, now: now, lease: lease, owner: owner, db)
                    return .commit
                }
            }
            // Whatever the claim did, the writer goes back to FULL; every other commit sets FULL
            // itself too (`durableWrite`), so one that fails here costs no durability.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try result.get()
            return claimed
        }
    }

    /// The due deliveries a claim considers, in due order, with the facts ``OrderingGate``
    /// decides on. Keyset-paged on (next_attempt_at, id): a key's held deliveries are read
    /// and passed over, never allowed to hide a runnable delivery behind them.
    private static func candidatesSQL(routes: Int) -> String {
        let marks = (0..<routes).map { "?\($0 + 5)" }.joined(separator: ", ")
        return """
            SELECT d.id, d.route, d.order_key, d.next_attempt_at,
                d.order_key IS NOT NULL AND EXISTS (
                    SELECT 1 FROM delivery d2 WHERE d2.route = d.route AND d2.order_key = d.order_key AND d2.id != d.id
                      AND d2.lease_until IS NOT NULL AND d2.lease_until >= ?1) AS in_flight,
                d.order_key IS NOT NULL AND EXISTS (
                    SELECT 1 FROM delivery d2 JOIN event e2 ON e2.id = d2.event_rowid
                    WHERE d2.route = d.route AND d2.order_key = d.order_key AND d2.id != d.id
                      AND d2.state IN ('pending', 'retrying')
                      AND (COALESCE(e2.occurred_at, e2.received_at), e2.id) < (COALESCE(e.occurred_at, e.received_at), e.id)
                ) AS earlier_unfinished
            FROM delivery d JOIN event e ON e.id = d.event_rowid
            WHERE d.state IN ('pending', 'retrying') AND d.next_attempt_at <= ?1
              AND (d.lease_until IS NULL OR d.lease_until < ?1) AND (d.next_attempt_at, d.id) > (?2, ?3)
              AND d.route IN (\(marks))
            ORDER BY d.next_attempt_at, d.id LIMIT ?4
            """
    }

    static func claim(
        routes: [String],
        limit: Int,
        now: Date,
        lease: Duration,
        owner: String,
        _ db: Database
    ) throws
        -> [ClaimedDelivery]
    {
        let nowValue = now.timeIntervalSince1970
        let sql = candidatesSQL(routes: routes.count)
        var gate = OrderingGate()
        var chosen: [Int64] = []
        var after: (Double, Int64) = (-Double.infinity, Int64.min)
        // The first page is as long as the claim: without order keys, the only page.
        var page = limit
        while chosen.count < limit {
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: sql),
                arguments: StatementArguments([nowValue, after.0, after.1, page] as [any DatabaseValueConvertible] + routes)
            )
            for row in rows where chosen.count < limit {
                let facts = OrderingGate.KeyFacts(inFlight: row["in_flight"], earlierUnfinished: row["earlier_unfinished"])
                if gate.admit(route: row["route"], orderKey: row["order_key"], facts: facts) == .run {
                    chosen.append(row["id"])
                }
            }
            guard rows.count == page, let last = rows.last else { break }
            after = (last["next_attempt_at"], last["id"])
            page = min(max(page * 4, 64), 1024)
        }
        guard !chosen.isEmpty else { return [] }
        let chosenMarks = databaseQuestionMarks(count: chosen.count)
        // A lease that ran out: its route may have run, so the history says so.
        try db.execute(
            sql: """
                INSERT INTO attempt (delivery_id, started_at, duration_ms, outcome, error)
                SELECT id, updated_at, 0, 'interrupted', 'the lease of agent ' || lease_owner || ' ran out during this attempt'
                FROM delivery WHERE id IN (\(chosenMarks)) AND lease_owner IS NOT NULL
                """,
            arguments: StatementArguments(chosen)
        )
        try db.executeCached(
            sql: """
                UPDATE delivery SET lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
                WHERE id IN (\(chosenMarks))
                """,
            arguments: StatementArguments([owner, nowValue + lease.seconds, nowValue] as [any DatabaseValueConvertible] + chosen)
        )
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT d.id, d.route, d.attempts, d.order_key, e.id AS rowid, e.source, e.event_id, e.type, e.origin, e.body,
                    e.headers, COALESCE(e.occurred_at, e.received_at) AS position_time
                FROM delivery d JOIN event e ON e.id = d.event_rowid
                WHERE d.id IN (\(chosenMarks)) ORDER BY d.next_attempt_at, d.id
                """,
            arguments: StatementArguments(chosen)
        )
        return try rows.map { row in
            var late = false
            if let key = row["order_key"] as String? {
                let position = OrderingGate.Position(time: row["position_time"], sequence: row["rowid"])
                late = OrderingGate.isLate(position, latestDone: try latestDone(route: row["route"], orderKey: key, db))
            }
            return ClaimedDelivery(
                deliveryID: row["id"],
                route: row["route"],
                attempt: row["attempts"],
                source: row["source"],
                eventID: row["event_id"],
                type: row["type"],
                origin: EventOrigin(rawValue: row["origin"]) ?? .webhook,
                body: Array(row["body"] as Data),
                contentType: StoredHeaders.contentType(inJSON: row["headers"]),
                late: late
            )
        }
    }

    /// The position of the latest delivered event of a (route, key), if any.
    private static func latestDone(route: String, orderKey: String, _ db: Database) throws -> OrderingGate.Position? {
        try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT COALESCE(e.occurred_at, e.received_at) AS time, e.id FROM delivery d JOIN event e ON e.id = d.event_rowid
                    WHERE d.route = ? AND d.order_key = ? AND d.state = 'done'
                    ORDER BY time DESC, e.id DESC LIMIT 1
                    """
            ),
            arguments: [route, orderKey]
        ).map { OrderingGate.Position(time: $0["time"], sequence: $0["id"]) }
    }

    func recoverLeases(owner: String, now: Date) async throws -> Int {
        try await pool.durableWrite { db in
            let taken = "lease_owner IS NOT NULL AND (lease_owner = ?1 OR lease_until < ?2)"
            let arguments: StatementArguments = [owner, now.timeIntervalSince1970]
            // Leave a trace in the history: the handler may have seen the event before the stop.
            try db.execute(
                sql: """
                    INSERT INTO attempt (delivery_id, started_at, duration_ms, outcome, error)
                    SELECT id, updated_at, 0, 'interrupted', 'agent ' || lease_owner || ' stopped during this attempt'
                    FROM delivery WHERE \(taken)
                    """,
                arguments: arguments
            )
            try db.execute(sql: "UPDATE delivery SET lease_owner = NULL, lease_until = NULL WHERE \(taken)", arguments: arguments)
            return db.changesCount
        }
    }

    func nextDueDate(routes: [String], after: Date) async throws -> Date? {
        guard !routes.isEmpty else { return nil }
        return try await pool.read { db in
            try Double.fetchOne(
                db,
                sql: """
                    SELECT MIN(next_attempt_at) FROM delivery
                    WHERE state IN ('pending', 'retrying') AND lease_owner IS NULL AND next_attempt_at > ?
                      AND route IN (\(databaseQuestionMarks(count: routes.count)))
                    """,
                arguments: StatementArguments([after.timeIntervalSince1970] + routes.map { $0 as any DatabaseValueConvertible })
            ).map(Date.init(timeIntervalSince1970:))
        }
    }

    /// Attempts kept per delivery; older ones are dropped as new ones are recorded.
    static let attemptHistoryLimit = 50
}
