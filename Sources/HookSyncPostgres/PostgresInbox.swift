import Foundation
import HookSyncCore
import Logging
import PostgresNIO

/// The inbox in a PostgreSQL database that several agents share.
///
/// Each agent has its own connection pool. Concurrent stores from one agent share a
/// transaction (one statement, ``StoreEventsStatement``, through ``GroupCommit``) and return
/// after its commit; a repeat writes nothing there, is counted in memory, and reaches
/// `event.arrivals` within a second, or before a query of this agent's reads it. Claims lock due deliveries with
/// `FOR UPDATE SKIP LOCKED`, so agents claiming at once pass over each other's rows instead of
/// waiting; leases expire on the server's clock. A commit that makes work due sends a
/// `NOTIFY` on ``PostgresSchema/workChannel`` so that another agent's worker wakes at once.
///
/// Each concern lives in its own extension: ingest, claims, outcomes, queries, dead letters,
/// poll state, maintenance. Only ``PostgresBackend`` constructs it.
final class PostgresInbox: Inbox {
    let location: PostgresLocation
    let client: PostgresClient
    let pool: PostgresPool
    let logger: Logger
    let arrivals = ArrivalCounts()
    private let running: Task<Void, Never>
    private let folding: Task<Void, Never>
    let stores: GroupCommit<IncomingEvent, StoreResult>
    let attempts: GroupCommit<AttemptRecord, Void>

    init(location: PostgresLocation, client: PostgresClient, logger: Logger) {
        self.location = location
        self.client = client
        self.logger = logger
        let pool = PostgresPool(client: client, logger: logger, location: location)
        self.pool = pool
        running = Task { await client.run() }
        let ingest = PostgresIngest(pool: pool, arrivals: arrivals)
        stores = GroupCommit { events in try await ingest.commit(events) }
        attempts = GroupCommit { records in
            try await pool.transaction { connection in
                for record in records { try await Self.apply(record, connection, logger: logger) }
            }
            return records.map { _ in () }
        }
        // Repeats are counted in memory; a second later at most they reach the event rows, so
        // `events` and `status` from any host see them.
        folding = Task {
            while true {
                do { try await Task.sleep(for: .seconds(1)) } catch { return }
                // In a task of its own, which shutting down does not cancel: a fold cut short
                // might have committed, and putting its counts back would count them twice.
                if case .failure(let error) = await Task(operation: { try await ingest.foldArrivals() }).result {
                    logger.warning("arrival counts not written yet, will retry: \(PostgresFailure.describe(error))")
                }
            }
        }
    }

    /// Runs `query` on a pooled connection and collects its rows.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await pool.rows(query)
    }

    func shutdown() async throws {
        folding.cancel()
        await folding.value
        defer { running.cancel() }
        try await PostgresIngest(pool: pool, arrivals: arrivals).foldArrivals()
    }
}

/// Repeats of stored events counted by this agent and not yet written: a provider retrying,
/// or a poll finding what a webhook brought, must not cost a transaction each.
actor ArrivalCounts {
    struct Key: Hashable {
        var source: String
        var dedupKey: String
    }

    /// A key's arrivals since the last write: how many, the last one's time, and whether a
    /// webhook was among them (which ends the event's wait for its webhook).
    struct Count: Sendable {
        var arrivals: Int64
        var last: Double
        var byWebhook: Bool

        func adding(_ other: Count) -> Count {
            Count(arrivals: arrivals + other.arrivals, last: max(last, other.last), byWebhook: byWebhook || other.byWebhook)
        }
    }

    private var counts: [Key: Count] = [:]

    /// Counts one arrival of each key, at its time: one call for a whole batch.
    func count(_ arrivals: [(key: Key, at: Double, byWebhook: Bool)]) {
        for (key, time, byWebhook) in arrivals {
            let one = Count(arrivals: 1, last: time, byWebhook: byWebhook)
            counts[key] = counts[key].map { $0.adding(one) } ?? one
        }
    }

    /// Takes every count, to be written by the caller's transaction.
    func take() -> [Key: Count] {
        defer { counts = [:] }
        return counts
    }

    /// Puts back counts whose transaction failed, so none is lost.
    func restore(_ taken: [Key: Count]) {
        for (key, value) in taken {
            counts[key] = counts[key].map { $0.adding(value) } ?? value
        }
    }
}
