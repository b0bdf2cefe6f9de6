import GRDB

extension DatabasePool {
    /// A write transaction committed with `synchronous = FULL`, set on the writer connection
    /// just before it begins. Claims switch the connection to `NORMAL` for their own commit and
    /// back; if switching back ever failed, every commit that acknowledges something (an event,
    /// an outcome, a replay, a cursor) would silently lose its durability. Setting the level in
    /// the same call as the commit makes it hold by construction: the commit runs synced or
    /// fails, and the failure reaches whoever was about to acknowledge (a webhook answers 503).
    func durableWrite<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writeWithoutTransaction { db in
            try db.executeCached(sql: "PRAGMA synchronous = FULL")
            var result: T?
            try db.inTransaction {
                result = try updates(db)
                return .commit
            }
            guard let result else { throw DatabaseError(message: "a durable write committed without a result") }
            return result
        }
    }
}
