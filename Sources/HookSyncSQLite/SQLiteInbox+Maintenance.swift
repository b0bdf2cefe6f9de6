import Foundation
import GRDB

extension SQLiteInbox {
    /// this process call it first, and the agent calls it when it stops.
    func flushArrivals() async throws {
        try await pool.durableWrite { db in try ArrivalTally.fold(db) }
    }

    func checkWritable() async throws {
        try await pool.durableWrite { db in
            try db.execute(sql: "INSERT INTO poll_state (source) VALUES ('(readyz)') ON CONFLICT DO NOTHING")
            try db.execute(sql: "DELETE FROM poll_state WHERE source = '(readyz)'")
        }
    }

    func prune(receivedBefore cutoff: Date, limit: Int) async throws -> Int {
        try await pool.durableWrite { db in
            // Only events every delivery of which is done: pending work and dead letters stay.
            try db.execute(
                sql: """
                    DELETE FROM event WHERE id IN (
                        SELECT e.id FROM event e
                        WHERE e.received_at < ?
                          AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.event_rowid = e.id AND d.state != 'done')
                        ORDER BY e.received_at LIMIT ?)
                    """,
                arguments: [cutoff.timeIntervalSince1970, limit]
            )
            return db.changesCount
        }
    }
}

extension SQLiteInbox {
    /// One agent owns the file (its data-directory lock): the receiver wakes the worker
    /// itself, and nobody else writes. Waits to be cancelled.
    func watchForWork(_ wake: @escaping @Sendable () async -> Void) async throws {
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}
