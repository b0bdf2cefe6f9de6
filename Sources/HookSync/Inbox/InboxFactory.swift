public import HookSyncCore
import HookSyncPostgres
import HookSyncSQLite

/// Opens the inbox a configuration names: the agent, the CLI, backfill, the demo and the bench
/// all come through here, so none of them knows which backend it talks to.
///
/// Opening migrates the schema and returns once the inbox is ready to use; close it with
/// ``Inbox/shutdown()`` when done, which writes what the backend keeps in memory.
public enum InboxFactory {
    /// What the caller will do with the inbox.
    public enum Access: Sendable {
        /// The agent and backfill: create the inbox when it is missing.
        case create
        /// A command that reads or operates on an existing inbox: a missing one is an error
        /// (most often a mistyped `data_dir`), not a new empty database.
        case existing
    }

    public static func open(_ location: InboxLocation, access: Access) async throws(InboxError) -> any Inbox {
        switch location {
        case .sqlite(let path): return try SQLiteBackend.open(path: path, create: access == .create)
        case .postgres(let postgres):
            let password = try password(of: postgres)
            return try await PostgresBackend.open(postgres, password: password, create: access == .create)
        }
    }

    public static func open(config: AgentConfig, access: Access) async throws(InboxError) -> any Inbox {
        try await open(config.inbox, access: access)
    }

    /// What is at the inbox a configuration names, changing nothing: what `hooksync check`
    /// reports, or why it cannot connect.
    public static func inspect(_ location: InboxLocation) async throws(InboxError) -> InboxInspection {
        switch location {
        case .sqlite(let path): return try SQLiteBackend.inspect(path: path)
        case .postgres(let postgres): return try await PostgresBackend.inspect(postgres, password: try password(of: postgres))
        }
    }

    private static func password(of location: PostgresLocation) throws(InboxError) -> String? {
        do {
            return try location.password?.resolve().value
        } catch {
            throw InboxError.cannotOpen(.postgres(location), reason: "[inbox] password: \(error)")
        }
    }
}
