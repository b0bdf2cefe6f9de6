import Foundation
import GRDB
import HookSyncCore

/// The inbox in one SQLite file (WAL), owned by one agent and read by the CLI.
///
/// Commits run with `synchronous = FULL`, so an acknowledged event survives power loss, and
/// concurrent stores (and delivery outcomes) share commits through ``GroupCommit``. A duplicate
/// arrival writes nothing: it is counted on the writer connection and folded into the event's
/// `arrivals` by the next commit that stores something anyway, so a retry storm costs no fsync.
///
/// SQLite has one writer at a time (`BEGIN IMMEDIATE`), which makes every claim and page commit
/// serial; the data-directory lock keeps a second agent off the file. Each concern lives in its
/// own extension: ingest, claims, outcomes, queries, dead letters, poll state, maintenance.
/// Only ``SQLiteBackend`` constructs it.
final class SQLiteInbox: Inbox {
    let path: String
    let pool: DatabasePool
    let stores: GroupCommit<IncomingEvent, StoreResult>
    let attempts: GroupCommit<AttemptRecord, Void>
    let presence = SQLitePresence()

    /// Opens (creating when `create` is true) the inbox at `path` and migrates it.
    init(path: String, create: Bool = true) throws(InboxError) {
        self.path = path
        let location = InboxLocation.sqlite(path: path)
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw InboxError.missing(location)
        }
        let directory = (path as NSString).deletingLastPathComponent
        do {
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        } catch {
            throw InboxError.cannotOpen(location, reason: "cannot create \(directory): \(error.localizedDescription)")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "hooksync.inbox"
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            // DatabasePool sets NORMAL when it switches to WAL; an acknowledged event must survive
            // power loss, so the writer connection commits with FULL.
            try pool.barrierWriteWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                try ArrivalTally.create(db)
            }
            try SQLiteMigrations.migrator.migrate(pool)
            self.pool = pool
        } catch {
            throw InboxError.cannotOpen(location, reason: "\(error)")
        }
        let store = StoreCommit(pool: pool)
        stores = GroupCommit { events in try await store.commit(events) }
        let writer = pool
        attempts = GroupCommit { records in
            try await writer.durableWrite { db in try records.map { record in try Self.apply(record, db) } }
        }
    }

    /// `PRAGMA synchronous` of the writer connection (2 is FULL); exposed for tests.
    func writerSynchronousMode() async throws -> Int {
        try await pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    func shutdown() async throws {
        // Duplicates counted since the last stored event; events themselves are all committed.
        try await flushArrivals()
        try pool.close()
    }
}
