import HookSyncCore
import Logging
import PostgresNIO
import Synchronization

/// postgres-nio's pool with a bound on the wait for a connection.
///
/// While the server is down or unreachable, the pool keeps trying to connect and a request
/// for a connection waits for as long as that takes. The inbox's callers cannot wait that
/// long: a webhook must be answered 503 so that its provider retries, and `/readyz` must
/// answer at all. So the wait for a connection is bounded; a query that has a connection
/// runs to its end, so a commit is never abandoned halfway by this bound.
struct PostgresPool: Sendable {
    let client: PostgresClient
    let logger: Logger
    let location: PostgresLocation
    /// The longest wait for a connection.
    var connectionWait: Duration = .seconds(5)

    /// Runs `body` on a pooled connection, failing with ``Unreachable`` when none comes
    /// within ``connectionWait``.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let leased = Leased()
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await client.withConnection { connection in
                    leased.flag.store(true, ordering: .relaxed)
                    return try await body(connection)
                }
            }
            group.addTask {
                try await Task.sleep(for: connectionWait)
                if leased.flag.load(ordering: .relaxed) { return nil }
                throw Unreachable(location: location, wait: connectionWait)
            }
            while let result = try await group.next() {
                if let value = result {
                    group.cancelAll()
                    return value
                }
            }
            throw CancellationError()
        }
    }

    /// `body` in a transaction on a pooled connection, committed when it returns.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let logger = logger
        return try await withConnection { connection in try await connection.withTransaction(logger: logger) { try await body($0) } }
    }

    /// The rows of one statement, run on its own.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        let logger = logger
        return try await withConnection { connection in try await connection.query(query, logger: logger).collect() }
    }

    private final class Leased: Sendable {
        let flag = Atomic(false)
    }

    /// No connection to the server within the wait: it is down, restarting or unreachable.
    struct Unreachable: Error, CustomStringConvertible {
        var location: PostgresLocation
        var wait: Duration

        var description: String {
            "no connection to \(location) within \(wait.components.seconds)s: the server is down, restarting or unreachable"
        }
    }
}
