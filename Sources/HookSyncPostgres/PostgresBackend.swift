public import HookSyncCore
public import Logging
import PostgresNIO

/// Opens the PostgreSQL inbox: the one way in from outside this module, so nothing else
/// depends on how PostgreSQL stores the contract.
public enum PostgresBackend {
    /// Connects, migrates the schema under an advisory lock (the agent, `create: true`) or
    /// checks it (the CLI), and returns the inbox with its connection pool running.
    ///
    /// A first connection is made on its own, so that a wrong password, an unreachable host or
    /// a missing database fails here with the server's words, before any pool retries quietly.
    /// - Parameter password: the resolved `[inbox] password`, if any.
    public static func open(
        _ location: PostgresLocation,
        password: String?,
        create: Bool,
        logger: Logger = Logger(label: "hooksync.inbox")
    ) async throws(InboxError) -> any Inbox {
        let settings = PostgresConnectionSettings(location: location, password: password)
        let inboxLocation = InboxLocation.postgres(location)
        let configuration: PostgresClient.Configuration
        do {
            configuration = try settings.clientConfiguration()
            let connection = try await PostgresConnection.connect(configuration: try settings.connectionConfiguration(), id: 0, logger: logger)
            defer { Task { try? await connection.close() } }
            do {
                _ = try await PostgresSchema.migrate(connection, create: create, logger: logger)
            } catch .missing {
                throw InboxError.missing(inboxLocation)
            } catch {
                throw InboxError.cannotOpen(inboxLocation, reason: error.reason)
            }
        } catch let error as InboxError {
            throw error
        } catch {
            throw InboxError.cannotOpen(inboxLocation, reason: PostgresFailure.describe(error))
        }
        // The pool's own warnings are about itself (it warns when a query races its start);
        // every failure that matters reaches the caller of the operation that failed.
        var background = logger
        background.logLevel = .error
        return PostgresInbox(location: location, client: PostgresClient(configuration: configuration, backgroundLogger: background), logger: logger)
    }

    /// Connects and reports what is there, changing nothing: `hooksync check`. Throws the
    /// server's or the network's words when it cannot connect.
    public static func inspect(
        _ location: PostgresLocation,
        password: String?,
        logger: Logger = Logger(label: "hooksync.inbox")
    ) async throws(InboxError) -> InboxInspection {
        let settings = PostgresConnectionSettings(location: location, password: password)
        do {
            let connection = try await PostgresConnection.connect(configuration: try settings.connectionConfiguration(), id: 0, logger: logger)
            defer { Task { try? await connection.close() } }
            let server = try await connection.query("SHOW server_version", logger: logger).collect().first?.decode(String.self) ?? "?"
            let version = try await PostgresSchema.version(connection, logger: logger)
            let agents = (version ?? 0) >= 2 ? try await PostgresInbox.agents(connection, logger: logger) : []
            return InboxInspection(
                server: "PostgreSQL \(server)",
                schemaVersion: version,
                knownVersion: PostgresSchema.currentVersion,
                agents: agents
            )
        } catch {
            throw InboxError.cannotOpen(.postgres(location), reason: PostgresFailure.describe(error))
        }
    }
}
