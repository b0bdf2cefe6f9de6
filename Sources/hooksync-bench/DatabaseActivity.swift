import Foundation
import HookSyncTesting

/// What one PostgreSQL database did between two readings, as the server itself counts it.
///
/// `pg_stat_database.xact_commit` counts every transaction, one that writes nothing included; only a
/// transaction that writes gets a transaction id, so the ids handed out count the writes, and
/// the WAL position says how much they wrote.
struct DatabaseActivity: Sendable {
    /// `pg_stat_database.xact_commit`: commits, those that wrote nothing included.
    var commits = 0
    /// Transaction ids assigned: write transactions.
    var writes = 0
    /// Bytes of WAL written.
    var walBytes = 0
    /// `pg_stat_wal.wal_sync`: WAL flushes to disk (the whole server's).
    var walSyncs = 0

    /// Reads the counters now. The statistics of a backend reach `pg_stat_database` when it
    /// ends or goes idle for a while, so a reading that must count commits waits for
    /// ``settled(_:_:)``.
    static func read(_ server: ThrowawayPostgres, _ database: String) async throws -> DatabaseActivity {
        let text = try await server.psql(
            database,
            """
            SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()),
                   pg_snapshot_xmax(pg_current_snapshot())::text::bigint,
                   (pg_current_wal_lsn() - '0/0')::bigint,
                   (SELECT wal_sync FROM pg_stat_wal)
            """
        )
        let fields = text.split(separator: "|").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard fields.count == 4 else { throw BenchError("unreadable database activity: \(text)") }
        return DatabaseActivity(commits: fields[0], writes: fields[1], walBytes: fields[2], walSyncs: fields[3])
    }

    /// Reads the counters once no other session is connected to `database`: every agent has
    /// stopped and its backends have reported their statistics.
    static func settled(_ server: ThrowawayPostgres, _ database: String) async throws -> DatabaseActivity {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let others = try await server.psql(
                database,
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if others == "0" { return try await read(server, database) }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError("sessions of \(database) still open 30 s after the agents stopped")
    }

    static func - (after: DatabaseActivity, before: DatabaseActivity) -> DatabaseActivity {
        DatabaseActivity(
            commits: after.commits - before.commits,
            writes: after.writes - before.writes,
            walBytes: after.walBytes - before.walBytes,
            walSyncs: after.walSyncs - before.walSyncs
        )
    }

    var summary: String {
        "\(commits) commits, \(writes) write transactions, \(walSyncs) WAL flushes, \(Report.format(Double(walBytes) / 1024, digits: 0)) KiB of WAL"
    }
}
