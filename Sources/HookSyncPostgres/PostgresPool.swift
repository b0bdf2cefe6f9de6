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
    /// The longest wait for an answer once connected. A connection the server dropped without
    /// a word (a crash, a network partition) can leave a query waiting forever; past this the
    /// caller gets an error, and a commit whose fate is unknown is retried by its caller
    /// (a webhook's provider, the poller, the worker), which dedup makes harmless.
    var answerWait: Duration = .seconds(15)

    /// Runs `body` on a pooled connection, failing with ``Unreachable`` when none comes
    /// within ``connectionWait``.
    ///
    /// The pool does not give up a request for a connection when its task is cancelled, and
    /// after an outage it may wait out a reconnection backoff. So the request runs in a task of
    /// its own that this call stops waiting for; if a connection comes after all, it goes back
    /// to the pool unused. Cancelling the caller cancels `body`.
    /// - Parameter untilCancelled: `body` runs until its caller cancels it (a `LISTEN`): no
    ///   bound on its answer.
    func withConnection<T: Sendable>(
        untilCancelled: Bool = false,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let race = Race<T>()
        let client = client
        let wait = connectionWait
        let answerWait: Duration? = untilCancelled ? nil : answerWait
        let location = location
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                // The continuation is in place before either task can answer through it.
                race.wait(continuation)
                let work = Task {
                    do {
                        let value = try await client.withConnection { connection -> T? in
                            guard race.begin() else { return nil }
                            return try await body(connection)
                        }
                        if let value { race.finish(.success(value)) }
                    } catch {
                        race.finish(.failure(error))
                    }
                }
                // One clock for both bounds: no connection within `wait`, then no answer
                // within `answerWait` more.
                let timer = Task {
                    try await Task.sleep(for: wait)
                    race.abandon(because: Unreachable(location: location, wait: wait))
                    guard let answerWait else { return }
                    try await Task.sleep(for: answerWait)
                    race.giveUp(because: NoAnswer(location: location, wait: answerWait))
                }
                race.attach(work: work, timer: timer)
            }
        } onCancel: {
            race.abandon(because: CancellationError())
        }
    }

    /// `body` in a transaction on a pooled connection, committed when it returns.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let logger = logger
        return try await withConnection { connection in try await connection.withTransaction(logger: logger) { try await body($0) } }
    }

    /// One prepared statement in a transaction of its own, its rows returned once the commit
    /// answered.
    ///
    /// `BEGIN` is queued on the connection with the statement, and `COMMIT` as soon as its
    /// rows are in: the caller is woken twice, not three times, and under load each wake waits
    /// for a thread. Not the statement alone: postgres-nio answers it when its rows end, before
    /// its implicit commit is durable, where `COMMIT` answers only after.
    func commit<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row] where Statement.Row: Sendable {
        let logger = logger
        return try await withConnection { connection in
            let begin: EventLoopFuture<PostgresQueryResult> = connection.query("BEGIN", logger: logger)
            let rows: Result<[Statement.Row], any Error>
            do {
                var collected: [Statement.Row] = []
                for try await row in try await connection.execute(statement, logger: logger) { collected.append(row) }
                rows = .success(collected)
            } catch {
                rows = .failure(error)
            }
            // Sent after a failed statement too: the server has ended that transaction, and
            // this `COMMIT` rolls it back, so the connection goes back to the pool clean.
            let commit: EventLoopFuture<PostgresQueryResult> = connection.query("COMMIT", logger: logger)
            let answers = try await EventLoopFuture.whenAllComplete([begin, commit], on: connection.eventLoop).get()
            _ = try answers[0].get()
            let collected = try rows.get()
            let committed = try answers[1].get().metadata.command
            guard committed == "COMMIT" else { throw NotCommitted(answer: committed) }
            return collected
        }
    }

    /// A `COMMIT` that answered something else: the transaction did not commit.
    struct NotCommitted: Error, CustomStringConvertible {
        var answer: String

        var description: String { "the transaction did not commit: the server answered \(answer) to COMMIT" }
    }

    /// The rows of one statement, run on its own.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        let logger = logger
        return try await withConnection { connection in try await connection.query(query, logger: logger).collect() }
    }

    /// Who answers the caller: the request, once it ran `body` or failed, or the timer or a
    /// cancellation while it still waits for a connection; exactly one of them, once.
    private final class Race<T: Sendable>: Sendable {
        private enum State {
            case waiting
            case running
            case answered
        }

        private struct Inside {
            var state = State.waiting
            var continuation: CheckedContinuation<T, any Error>?
            var work: Task<Void, Never>?
            var timer: Task<Void, any Error>?
        }

        private let inside = Mutex(Inside())

        /// Holds the caller's continuation; answers it at once if the caller was cancelled
        /// before it got here.
        func wait(_ continuation: CheckedContinuation<T, any Error>) {
            let cancelled = inside.withLock { inside in
                guard inside.state == .waiting else { return true }
                inside.continuation = continuation
                return false
            }
            if cancelled { continuation.resume(throwing: CancellationError()) }
        }

        /// Keeps the tasks, to cancel the timer once answered and the work when the caller is
        /// cancelled.
        func attach(work: Task<Void, Never>, timer: Task<Void, any Error>) {
            let answered = inside.withLock { inside in
                inside.work = work
                inside.timer = timer
                return inside.state == .answered
            }
            if answered { timer.cancel() }
        }

        /// The request got a connection: true if the caller still waits for it.
        func begin() -> Bool {
            inside.withLock { inside in
                guard inside.state == .waiting else { return false }
                inside.state = .running
                return true
            }
        }

        /// The request ran `body`, or failed.
        func finish(_ result: Result<T, any Error>) {
            let continuation = inside.withLock { inside -> CheckedContinuation<T, any Error>? in
                guard inside.state != .answered else { return nil }
                inside.state = .answered
                inside.timer?.cancel()
                defer { inside.continuation = nil }
                return inside.continuation
            }
            continuation?.resume(with: result)
        }

        /// No answer in time, connected or not: answers with `error` and cancels the work.
        func giveUp(because error: any Error) {
            let (continuation, work) = inside.withLock { inside -> (CheckedContinuation<T, any Error>?, Task<Void, Never>?) in
                guard inside.state != .answered else { return (nil, nil) }
                inside.state = .answered
                defer { inside.continuation = nil }
                return (inside.continuation, inside.work)
            }
            work?.cancel()
            continuation?.resume(throwing: error)
        }

        /// The wait is over or the caller was cancelled: answers with `error` if no connection
        /// came yet; cancels `body` if it runs.
        func abandon(because error: any Error) {
            let (continuation, work) = inside.withLock { inside -> (CheckedContinuation<T, any Error>?, Task<Void, Never>?) in
                switch inside.state {
                case .waiting:
                    inside.state = .answered
                    defer { inside.continuation = nil }
                    return (inside.continuation, inside.work)
                case .running:
                    return (nil, error is CancellationError ? inside.work : nil)
                case .answered:
                    return (nil, nil)
                }
            }
            work?.cancel()
            continuation?.resume(throwing: error)
        }
    }

    /// Connected, but no answer within the wait.
    struct NoAnswer: Error, CustomStringConvertible {
        var location: PostgresLocation
        var wait: Duration

        var description: String {
            "no answer from \(location) within \(wait.components.seconds)s: the connection was lost or the server is stalled"
        }
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
