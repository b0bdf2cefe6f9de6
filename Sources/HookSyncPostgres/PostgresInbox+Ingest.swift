import Foundation
import HookSyncCore
import Logging
import NIOCore
import PostgresNIO

extension PostgresInbox {
    func store(_ event: IncomingEvent) async throws -> StoreResult {
        try await stores.submit(event)
    }

    func storePage(_ events: [IncomingEvent], source: String, cursor: String?, leader: String?) async throws -> [StoreResult] {
        let ingest = PostgresIngest(pool: pool, arrivals: arrivals)
        let logger = logger
        let taken = await arrivals.take()
        do {
            return try await pool.transaction { connection in
                // The leadership row stays locked until the commit: no heartbeat can hand the
                // source to another agent between this check and the cursor's move.
                if let leader, try await !Self.leads(leader, source: source, connection, logger: logger) {
                    throw LeadershipLost(source: source, agent: leader)
                }
                let results = try await ingest.insert(events, connection)
                try await PostgresIngest.fold(taken, connection, logger: logger)
                if let cursor {
                    try await connection.query(
                        """
                        INSERT INTO poll_state (source, cursor) VALUES (\(source), \(cursor))
                        ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor
                        """,
                        logger: logger
                    )
                }
                return results
            }
        } catch {
            await arrivals.restore(taken)
            if let lost = PostgresFailure.thrownInTransaction(error) as? LeadershipLost { throw lost }
            throw PostgresInboxError("storing a page of \(source)", error)
        }
    }
}

/// The write half of ``PostgresInbox/store(_:)``: one read to find repeats, then one
/// transaction with a multi-row insert for everything new in the batch.
struct PostgresIngest: Sendable {
    let pool: PostgresPool
    let arrivals: ArrivalCounts
    var logger: Logger { pool.logger }

    func commit(_ events: [IncomingEvent]) async throws -> [StoreResult] {
        do {
            let known = try await existing(events)
            var pending: [IncomingEvent] = []
            var results = [StoreResult?](repeating: nil, count: events.count)
            var firsts: [ArrivalCounts.Key: Int] = [:]
            var repeats: [(key: ArrivalCounts.Key, at: Double)] = []
            for (index, event) in events.enumerated() {
                let key = ArrivalCounts.Key(source: event.source, dedupKey: event.dedupKey)
                if known.contains(key) || firsts[key] != nil {
                    repeats.append((key, event.receivedAt.timeIntervalSince1970))
                    results[index] = .duplicate
                } else {
                    firsts[key] = index
                    pending.append(event)
                }
            }
            await arrivals.count(repeats)
            // A batch of repeats only: nothing to commit, no transaction at all.
            let fresh = pending
            if !fresh.isEmpty {
                let taken = await arrivals.take()
                do {
                    let stored = try await pool.transaction { connection in
                        let stored = try await insert(fresh, connection)
                        try await Self.fold(taken, connection, logger: logger)
                        return stored
                    }
                    for (event, result) in zip(fresh, stored) {
                        let key = ArrivalCounts.Key(source: event.source, dedupKey: event.dedupKey)
                        if let index = firsts[key] { results[index] = result }
                    }
                } catch {
                    await arrivals.restore(taken)
                    throw error
                }
            }
            return results.map { $0 ?? .duplicate }
        } catch {
            throw PostgresInboxError("storing events", error)
        }
    }

    /// The (source, dedup key) pairs of `events` already stored: a read, no transaction.
    private func existing(_ events: [IncomingEvent]) async throws -> Set<ArrivalCounts.Key> {
        let rows = try await pool.rows(
            """
            SELECT e.source, e.dedup_key FROM event e
            JOIN unnest(\(events.map(\.source))::text[], \(events.map(\.dedupKey))::text[]) AS k (source, dedup_key)
              ON e.source = k.source AND e.dedup_key = k.dedup_key
            """
        )
        return Set(
            try rows.map { row in
                let (source, key) = try row.decode((String, String).self)
                return ArrivalCounts.Key(source: source, dedupKey: key)
            }
        )
    }

    /// Inserts each event once per (source, dedup key) with its deliveries, in two multi-row
    /// statements, and wakes the other agents when it made work due. An event another agent
    /// stored first comes back `.duplicate` and is counted.
    func insert(_ events: [IncomingEvent], _ connection: PostgresConnection) async throws -> [StoreResult] {
        guard !events.isEmpty else { return [] }
        var binds = PostgresBindings(capacity: events.count * 10)
        var rows: [String] = []
        // In key order, so that two agents inserting the same keys at once (a provider's retry
        // reaching the other agent) wait for each other instead of deadlocking; a key twice in
        // one page keeps its first event first, the one stored.
        let ordered = events.enumerated().sorted {
            ($0.element.source, $0.element.dedupKey, $0.offset) < ($1.element.source, $1.element.dedupKey, $1.offset)
        }
        for event in ordered.map(\.element) {
            let base = binds.count
            rows.append("(" + (1...10).map { "$\(base + $0)" }.joined(separator: ", ") + ")")
            let received = event.receivedAt.timeIntervalSince1970
            binds.append(event.source)
            binds.append(event.eventID)
            binds.append(event.dedupKey)
            binds.append(event.type)
            binds.append(event.occurredAt?.timeIntervalSince1970)
            binds.append(received)
            binds.append(event.origin.rawValue)
            binds.append(received)
            binds.append(FlatJSON.object(event.headers))
            binds.append(ByteBuffer(bytes: event.body))
        }
        let inserted = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO event (source, event_id, dedup_key, type, occurred_at, received_at, origin, last_arrived_at,
                        headers, body)
                    VALUES \(rows.joined(separator: ", "))
                    ON CONFLICT (source, dedup_key) DO NOTHING
                    RETURNING id, source, dedup_key
                    """,
                binds: binds
            ),
            logger: logger
        ).collect()
        var ids: [ArrivalCounts.Key: Int64] = [:]
        for row in inserted {
            let (id, source, key) = try row.decode((Int64, String, String).self)
            ids[ArrivalCounts.Key(source: source, dedupKey: key)] = id
        }
        var deliveries = PostgresBindings()
        var values: [String] = []
        var results: [StoreResult] = []
        var repeats: [(key: ArrivalCounts.Key, at: Double)] = []
        for event in events {
            let key = ArrivalCounts.Key(source: event.source, dedupKey: event.dedupKey)
            // A key twice in one page: the first is the one stored, the second a repeat.
            guard let id = ids.removeValue(forKey: key) else {
                repeats.append((key, event.receivedAt.timeIntervalSince1970))
                results.append(.duplicate)
                continue
            }
            results.append(.stored)
            for route in event.routes {
                let base = deliveries.count
                values.append("($\(base + 1), $\(base + 2), 'pending', $\(base + 3), $\(base + 3), $\(base + 4))")
                deliveries.append(id)
                deliveries.append(route)
                deliveries.append(event.receivedAt.timeIntervalSince1970)
                deliveries.append(event.orderKeys[route])
            }
        }
        await arrivals.count(repeats)
        if !values.isEmpty {
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO delivery (event_rowid, route, state, next_attempt_at, updated_at, order_key)
                        VALUES \(values.joined(separator: ", "))
                        """,
                    binds: deliveries
                ),
                logger: logger
            )
            try await connection.query("SELECT pg_notify(\(PostgresSchema.workChannel), '')", logger: logger)
        }
        return results
    }

    /// Writes the counted repeats inside a transaction that commits anyway.
    static func fold(_ taken: [ArrivalCounts.Key: (arrivals: Int64, last: Double)], _ connection: PostgresConnection, logger: Logger) async throws {
        guard !taken.isEmpty else { return }
        let entries = Array(taken)
        try await connection.query(
            """
            UPDATE event SET arrivals = event.arrivals + t.n, last_arrived_at = greatest(event.last_arrived_at, t.at)
            FROM unnest(\(entries.map(\.key.source))::text[], \(entries.map(\.key.dedupKey))::text[],
                \(entries.map(\.value.arrivals))::int8[], \(entries.map(\.value.last))::float8[]) AS t (source, dedup_key, n, at)
            WHERE event.source = t.source AND event.dedup_key = t.dedup_key
            """,
            logger: logger
        )
    }

    /// Writes the counted repeats in a transaction of their own, when there are any.
    func foldArrivals() async throws {
        let taken = await arrivals.take()
        guard !taken.isEmpty else { return }
        do {
            try await pool.transaction { connection in try await Self.fold(taken, connection, logger: logger) }
        } catch {
            await arrivals.restore(taken)
            throw error
        }
    }
}
