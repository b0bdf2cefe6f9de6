import Foundation
import GRDB
public import HookSyncCore

/// Opens the SQLite inbox: the one way in from outside this module, so nothing else depends
/// on how SQLite stores the contract.
public enum SQLiteBackend {
    /// Opens the inbox file at `path` and migrates it to this binary's schema.
    ///
    /// The agent creates the file (`create: true`); the CLI only reads an inbox that exists, so
    /// a mistyped `data_dir` says so instead of leaving an empty database behind.
    public static func open(path: String, create: Bool) throws(InboxError) -> any Inbox {
        try SQLiteInbox(path: path, create: create)
    }
}

extension SQLiteBackend {
    /// What is at `path`, changing nothing: `hooksync check`.
    public static func inspect(path: String) throws(InboxError) -> InboxInspection {
        let known = SQLiteMigrations.migrator.migrations.count
        guard FileManager.default.fileExists(atPath: path) else {
            return InboxInspection(server: "SQLite", schemaVersion: nil, knownVersion: known, agents: [])
        }
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in
                InboxInspection(
                    server: "SQLite \(try String.fetchOne(db, sql: "SELECT sqlite_version()") ?? "?")",
                    schemaVersion: try SQLiteMigrations.migrator.appliedIdentifiers(db).count,
                    knownVersion: known,
                    agents: []
                )
            }
        } catch {
            throw InboxError.cannotOpen(.sqlite(path: path), reason: "\(error)")
        }
    }
}
