import Foundation
import HookSyncCore
import Logging
import NIOCore
import PostgresNIO

extension PostgresInbox {
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
        let logger = logger
        do {
            return try await pool.transaction { connection in
                let chosen = try await Self.choose(routes: routes, limit: limit, now: now, connection, logger: logger)
                guard !chosen.isEmpty else { return [] }
                return try await Self.lease(chosen, now: now, lease: lease, owner: owner, connection, logger: logger)
            }
        } catch {
            throw PostgresInboxError("claiming deliveries", error)
        }
    }

    /// The due deliveries to lease, in due order, decided by ``OrderingGate`` on each key's
    /// facts. Keyset-paged on (next_attempt_at, id) so that a key's held deliveries never hide
    /// a runnable one. Rows another agent's claim has locked are skipped, not waited for; the
    /// rows read stay locked until this transaction ends, so two agents never decide on one.
    private static func choose(
        routes: [String],
        limit: Int,
        now: Date,
        _ connection: PostgresConnection,
        logger: Logger
    ) async throws -> [Int64] {
        let nowValue = now.timeIntervalSince1970
        var gate = OrderingGate()
        var chosen: [Int64] = []
        var after: (Double, Int64) = (-Double.greatestFiniteMagnitude, Int64.min)
        // The first page is as long as the claim: without order keys, the only page.
        var page = limit
        while chosen.count < limit {
            let rows = try await connection.query(
                """
                SELECT d.id, d.route, d.order_key, d.next_attempt_at,
                    d.order_key IS NOT NULL AND EXISTS (
                        SELECT 1 FROM delivery d2 WHERE d2.route = d.route AND d2.order_key = d.order_key AND d2.id != d.id
                          AND d2.lease_until IS NOT NULL AND d2.lease_until >= \(unescaped: PostgresSchema.serverNow)) AS in_flight,
                    d.order_key IS NOT NULL AND EXISTS (
                        SELECT 1 FROM delivery d2 JOIN event e2 ON e2.id = d2.event_rowid
                        WHERE d2.route = d.route AND d2.order_key = d.order_key AND d2.id != d.id
                          AND d2.state IN ('pending', 'retrying')
                          AND (COALESCE(e2.occurred_at, e2.received_at), e2.id) < (COALESCE(e.occurred_at, e.received_at), e.id)
                    ) AS earlier_unfinished
                FROM delivery d JOIN event e ON e.id = d.event_rowid
                WHERE d.state IN ('pending', 'retrying') AND d.next_attempt_at <= \(nowValue)
                  AND (d.lease_until IS NULL OR d.lease_until < \(unescaped: PostgresSchema.serverNow))
                  AND (d.next_attempt_at, d.id) > (\(after.0), \(after.1))
                  AND d.route = ANY(\(routes)::text[])
                ORDER BY d.next_attempt_at, d.id LIMIT \(page)
                FOR UPDATE OF d SKIP LOCKED
                """,
                logger: logger
            ).collect()
            var last: (Double, Int64)?
            for row in rows {
                let (id, route, orderKey, due, inFlight, earlier) = try row.decode((Int64, String, String?, Double, Bool, Bool).self)
                last = (due, id)
                guard chosen.count < limit else { continue }
                let facts = OrderingGate.KeyFacts(inFlight: inFlight, earlierUnfinished: earlier)
                if gate.admit(route: route, orderKey: orderKey, facts: facts) == .run { chosen.append(id) }
            }
            guard rows.count == page, let last else { break }
            after = last
            page = min(max(page * 4, 64), 1024)
        }
        return chosen
    }

    /// Leases `chosen` to `owner` until the server's clock passes `lease`, counting the attempt.
    /// A delivery whose lease ran out (its agent died or was cut off) gets an interrupted
    /// attempt in its history first: its route may have run.
    private static func lease(
        _ chosen: [Int64],
        now: Date,
        lease: Duration,
        owner: String,
        _ connection: PostgresConnection,
        logger: Logger
    ) async throws -> [ClaimedDelivery] {
        let rows = try await connection.query(
            """
            WITH expired AS (
                SELECT id, lease_owner, updated_at FROM delivery WHERE id = ANY(\(chosen)::int8[]) AND lease_owner IS NOT NULL),
            noted AS (
                INSERT INTO attempt (delivery_id, started_at, duration_ms, outcome, error)
                SELECT id, updated_at, 0, 'interrupted', 'the lease of agent ' || lease_owner || ' ran out during this attempt'
                FROM expired),
            leased AS (
                UPDATE delivery SET lease_owner = \(owner), lease_until = \(unescaped: PostgresSchema.serverNow) + \(lease.seconds),
                    attempts = attempts + 1, updated_at = \(now.timeIntervalSince1970)
                WHERE id = ANY(\(chosen)::int8[])
                RETURNING id, route, attempts, order_key, event_rowid, next_attempt_at)
            SELECT d.id, d.route, d.attempts, d.order_key, e.id, e.source, e.event_id, e.type, e.origin, e.body, e.headers,
                COALESCE(e.occurred_at, e.received_at)
            FROM leased d JOIN event e ON e.id = d.event_rowid ORDER BY d.next_attempt_at, d.id
            """,
            logger: logger
        ).collect()
        var claimed: [ClaimedDelivery] = []
        for row in rows {
            let (id, route, attempts, orderKey, rowid, source, eventID, type, origin, body, headers, time) =
                try row.decode((Int64, String, Int, String?, Int64, String, String, String, String, ByteBuffer, String, Double).self)
            var late = false
            if let orderKey {
                let position = OrderingGate.Position(time: time, sequence: rowid)
                late = OrderingGate.isLate(position, latestDone: try await latestDone(route: route, orderKey: orderKey, connection, logger: logger))
            }
            claimed.append(
                ClaimedDelivery(
                    deliveryID: id,
                    route: route,
                    attempt: attempts,
                    source: source,
                    eventID: eventID,
                    type: type,
                    origin: EventOrigin(rawValue: origin) ?? .webhook,
                    body: Array(body.readableBytesView),
                    contentType: StoredHeaders.contentType(inJSON: headers),
                    late: late
                )
            )
        }
        return claimed
    }

    /// The position of the latest delivered event of a (route, key), if any.
    private static func latestDone(
        route: String,
        orderKey: String,
        _ connection: PostgresConnection,
        logger: Logger
    ) async throws
        -> OrderingGate.Position?
    {
        try await connection.query(
            """
            SELECT COALESCE(e.occurred_at, e.received_at) AS time, e.id FROM delivery d JOIN event e ON e.id = d.event_rowid
            WHERE d.route = \(route) AND d.order_key = \(orderKey) AND d.state = 'done'
            ORDER BY time DESC, e.id DESC LIMIT 1
            """,
            logger: logger
        ).collect().first.map { row in
            let (time, id) = try row.decode((Double, Int64).self)
            return OrderingGate.Position(time: time, sequence: id)
        }
    }

    func recoverLeases(owner: String, now: Date) async throws -> Int {
        let logger = logger
        do {
            return try await pool.transaction { connection in
                // Leave a trace in the history: the handler may have seen the event before the stop.
                let rows = try await connection.query(
                    """
                    WITH taken AS (
                        SELECT id, lease_owner, updated_at FROM delivery
                        WHERE lease_owner IS NOT NULL AND (lease_owner = \(owner) OR lease_until < \(unescaped: PostgresSchema.serverNow))
                        FOR UPDATE SKIP LOCKED),
                    noted AS (
                        INSERT INTO attempt (delivery_id, started_at, duration_ms, outcome, error)
                        SELECT id, updated_at, 0, 'interrupted', 'agent ' || lease_owner || ' stopped during this attempt' FROM taken)
                    UPDATE delivery SET lease_owner = NULL, lease_until = NULL FROM taken WHERE delivery.id = taken.id
                    RETURNING delivery.id
                    """,
                    logger: logger
                ).collect()
                if !rows.isEmpty {
                    try await connection.query("SELECT pg_notify(\(PostgresSchema.workChannel), '')", logger: logger)
                }
                return rows.count
            }
        } catch {
            throw PostgresInboxError("taking back leases", error)
        }
    }

    func nextDueDate(routes: [String], after: Date) async throws -> Date? {
        guard !routes.isEmpty else { return nil }
        do {
            return try await rows(
                """
                SELECT MIN(at) FROM (
                    SELECT MIN(next_attempt_at) AS at FROM delivery
                    WHERE state IN ('pending', 'retrying') AND lease_owner IS NULL AND next_attempt_at > \(after.timeIntervalSince1970)
                      AND route = ANY(\(routes)::text[])
                    UNION ALL
                    SELECT MIN(lease_until) FROM delivery
                    WHERE lease_owner IS NOT NULL AND lease_until > \(after.timeIntervalSince1970) AND state IN ('pending', 'retrying')
                      AND route = ANY(\(routes)::text[])
                ) AS next
                """
            ).first?.decode(Double?.self).map(Date.init(timeIntervalSince1970:))
        } catch {
            throw PostgresInboxError("reading the next due time", error)
        }
    }
}
