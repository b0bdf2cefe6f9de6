import Foundation
import HookSyncCore
import NIOCore
import PostgresNIO

/// A batch of events with their deliveries as one statement: the events not stored yet are
/// inserted, each new one's deliveries with it, and the other agents' workers are woken when
/// that made work due; then what its answer means for each event of the batch.
///
/// One statement instead of a read for repeats, two inserts and a `NOTIFY`: a batch's latency
/// is what bounds one agent's ingest, and most of it was round trips. Its text is the same for
/// every batch (arrays, not a row of parameters per event), so each connection prepares it once
/// and the server does not plan it again for each batch.
///
/// An event already stored is passed over by the `NOT EXISTS` before it reaches the insert, so
/// a batch of repeats takes no identity value and so no transaction id: it writes nothing. Only
/// another agent storing the same key at the same moment reaches `ON CONFLICT`. The `OFFSET 0`
/// keeps that test a probe of the key index for each event: as an anti-join, the plan cached
/// while `event` was small scanned the whole table instead, each batch slower than the last.
struct StoreEventsStatement: PostgresPreparedStatement {
    static let name = "hooksync_store_events"

    static let sql = """
        WITH incoming AS (
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::bool[], $7::float8[],
                $8::text[], $9::text[], $10::bytea[], $11::bool[])
                WITH ORDINALITY AS i (source, event_id, dedup_key, type, occurred_at, dated, received_at, origin, headers, body,
                    awaiting_webhook, position)
        ),
        stored AS (
            INSERT INTO event (source, event_id, dedup_key, type, occurred_at, received_at, origin, last_arrived_at, headers, body,
                awaiting_webhook)
            SELECT source, event_id, dedup_key, type, CASE WHEN dated THEN occurred_at END, received_at, origin, received_at,
                headers, body, awaiting_webhook
            FROM incoming i
            WHERE NOT EXISTS (SELECT FROM event e WHERE e.source = i.source AND e.dedup_key = i.dedup_key OFFSET 0)
            ORDER BY position
            ON CONFLICT (source, dedup_key) DO NOTHING
            RETURNING id, source, dedup_key, received_at
        ),
        due AS (
            INSERT INTO delivery (event_rowid, route, state, next_attempt_at, updated_at, order_key)
            SELECT s.id, r.route, 'pending', s.received_at, s.received_at, CASE WHEN r.keyed THEN r.order_key END
            FROM stored s
            JOIN unnest($12::text[], $13::text[], $14::text[], $15::bool[], $16::text[]) AS r (source, dedup_key, route, keyed, order_key)
                ON r.source = s.source AND r.dedup_key = s.dedup_key
            RETURNING 1
        ),
        -- A CTE that only reads runs when it is read: the last column is what sends the notification.
        woken AS (
            SELECT pg_notify('\(PostgresSchema.workChannel)', '') FROM (SELECT FROM due LIMIT 1) AS any_due
        )
        SELECT source, dedup_key, (SELECT count(*) FROM woken) AS woken FROM stored
        """

    /// The batch, as its callers gave it.
    let batch: [IncomingEvent]
    /// The index in ``batch`` of each key's first event: the one stored, the others repeats.
    private let firsts: [ArrivalCounts.Key: Int]
    /// One event of each key, in key order: two agents inserting the same keys at once then wait
    /// for each other instead of deadlocking.
    private let events: [IncomingEvent]

    init(_ batch: [IncomingEvent]) {
        var firsts: [ArrivalCounts.Key: Int] = [:]
        for (index, event) in batch.enumerated() where firsts[event.arrivalKey] == nil {
            firsts[event.arrivalKey] = index
        }
        self.batch = batch
        self.firsts = firsts
        events = firsts.sorted { ($0.key.source, $0.key.dedupKey) < ($1.key.source, $1.key.dedupKey) }.map { batch[$0.value] }
    }

    /// Each event's result from the keys the statement stored: stored if it is its key's first
    /// and the statement stored it; a duplicate otherwise, stored before or by another agent
    /// meanwhile.
    func results(_ stored: [ArrivalCounts.Key]) -> [StoreResult] {
        let stored = Set(stored)
        return batch.enumerated().map { index, event in
            firsts[event.arrivalKey] == index && stored.contains(event.arrivalKey) ? .stored : .duplicate
        }
    }

    func decodeRow(_ row: PostgresRow) throws -> ArrivalCounts.Key {
        let (source, dedupKey, _) = try row.decode((String, String, Int64).self)
        return ArrivalCounts.Key(source: source, dedupKey: dedupKey)
    }

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 16)
        bindings.append(events.map(\.source))
        bindings.append(events.map(\.eventID))
        bindings.append(events.map(\.dedupKey))
        bindings.append(events.map(\.type))
        // Arrays of postgres-nio hold no NULL: a flag beside each value that may be absent.
        bindings.append(events.map { $0.occurredAt?.timeIntervalSince1970 ?? 0 })
        bindings.append(events.map { $0.occurredAt != nil })
        bindings.append(events.map(\.receivedAt.timeIntervalSince1970))
        bindings.append(events.map(\.origin.rawValue))
        bindings.append(events.map { FlatJSON.object($0.headers) })
        bindings.append(events.map { ByteBuffer(bytes: $0.body) })
        bindings.append(events.map(\.awaitsWebhook))
        let routes = events.flatMap { event in event.routes.map { (event, $0) } }
        bindings.append(routes.map(\.0.source))
        bindings.append(routes.map(\.0.dedupKey))
        bindings.append(routes.map(\.1))
        bindings.append(routes.map { event, route in event.orderKeys[route] != nil })
        bindings.append(routes.map { event, route in event.orderKeys[route] ?? "" })
        return bindings
    }
}

extension IncomingEvent {
    /// What makes two arrivals one event, as the arrival counts key it.
    var arrivalKey: ArrivalCounts.Key { ArrivalCounts.Key(source: source, dedupKey: dedupKey) }
}
