import Foundation
import GRDB
import HookSyncCore

extension SQLiteInbox {
    func store(_ event: IncomingEvent) async throws -> StoreResult {
        try await stores.submit(event)
    }

    /// One agent owns the file, so it leads every source: `leader` needs no check.
    func storePage(_ events: [IncomingEvent], source: String, cursor: String?, leader: String?) async throws -> [StoreResult] {
        let rows = StoreCommit.encode(events)
        return try await pool.durableWrite { db in
            let results = try StoreCommit.insert(rows, db)
            if let cursor {
                try db.executeCached(
                    sql: """
                        INSERT INTO poll_state (source, cursor) VALUES (?1, ?2)
                        ON CONFLICT (source) DO UPDATE SET cursor = ?2
                        """,
                    arguments: [source, cursor]
                )
            }
            return results
        }
    }

    /// Writes the re-arrivals counted since the last commit that stored an event; readers in
}

/// The write half of ``SQLiteInbox/store(_:)``: one transaction for a whole batch.
struct StoreCommit: Sendable {
    let pool: DatabasePool

    func commit(_ events: [IncomingEvent]) async throws -> [StoreResult] {
        let rows = Self.encode(events)
        return try await pool.durableWrite { db in try Self.insert(rows, db) }
    }

    static func encode(_ events: [IncomingEvent]) -> [(IncomingEvent, String)] {
        events.map { event in (event, FlatJSON.object(event.headers)) }
    }

    /// Inserts each event once per (source, dedup key) with its deliveries; counts re-arrivals,
    /// which reach the event table only when this commit stores something anyway.
    static func insert(_ rows: [(IncomingEvent, String)], _ db: Database) throws -> [StoreResult] {
        let results = try rows.map { event, headers in
            let received = event.receivedAt.timeIntervalSince1970
            try db.executeCached(
                sql: """
                    INSERT INTO event (source, event_id, dedup_key, type, occurred_at, received_at, origin, last_arrived_at,
                        headers, body, awaiting_webhook)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, dedup_key) DO NOTHING
                    """,
                arguments: [
                    event.source, event.eventID, event.dedupKey, event.type, event.occurredAt?.timeIntervalSince1970, received,
                    event.origin.rawValue, received, headers, Data(event.body), event.awaitsWebhook,
                ]
            )
            guard db.changesCount == 1 else {
                try ArrivalTally.count(source: event.source, dedupKey: event.dedupKey, at: received, byWebhook: event.origin == .webhook, db)
                return StoreResult.duplicate
            }
            let rowid = db.lastInsertedRowID
            for route in event.routes {
                try db.executeCached(
                    sql: """
                        INSERT INTO delivery (event_rowid, route, state, next_attempt_at, updated_at, order_key)
                        VALUES (?, ?, 'pending', ?, ?, ?)
                        """,
                    arguments: [rowid, route, received, received, event.orderKeys[route]]
                )
            }
            return StoreResult.stored
        }
        if results.contains(.stored) { try ArrivalTally.fold(db) }
        return results
    }
}
