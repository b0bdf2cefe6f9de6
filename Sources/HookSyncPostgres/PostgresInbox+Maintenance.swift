import Foundation
import HookSyncCore
import PostgresNIO

extension PostgresInbox {
    /// A transaction that writes and commits, as `/readyz` needs: taking a transaction id
    /// makes the commit write its record, which a server in recovery (a standby) refuses, where
    /// a plain `SELECT 1` would pass.
    func checkWritable() async throws {
        do {
            _ = try await rows("SELECT pg_current_xact_id()")
        } catch {
            throw PostgresInboxError("a test write", error)
        }
    }

    func prune(receivedBefore cutoff: Date, limit: Int) async throws -> Int {
        do {
            // Only events every delivery of which is done: pending work and dead letters stay.
            return try await rows(
                """
                DELETE FROM event WHERE id IN (
                    SELECT e.id FROM event e
                    WHERE e.received_at < \(cutoff.timeIntervalSince1970)
                      AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.event_rowid = e.id AND d.state != 'done')
                    ORDER BY e.received_at LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED)
                RETURNING id
                """
            ).count
        } catch {
            throw PostgresInboxError("pruning old events", error)
        }
    }
}

extension PostgresInbox {
    /// Listens on ``PostgresSchema/workChannel`` on a connection of its own: every commit that
    /// makes work due (an event stored, a dead letter replayed, leases freed) notifies it.
    func watchForWork(_ wake: @escaping @Sendable () async -> Void) async throws {
        do {
            try await pool.withConnection(untilCancelled: true) { connection in
                try await connection.listen(on: PostgresSchema.workChannel) { notifications in
                    // Whatever became due while nobody listened.
                    await wake()
                    for try await _ in notifications { await wake() }
                }
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw PostgresInboxError("listening for new work", error)
        }
    }
}
