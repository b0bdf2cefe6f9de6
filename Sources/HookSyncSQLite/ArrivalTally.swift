import GRDB

/// Re-arrivals of stored events, counted in a TEMP table of the writer connection.
///
/// A provider retrying, or a poll finding what a webhook already brought, must not cost a
/// synced commit: rows of a TEMP table never reach the database file or its WAL, so counting
/// there leaves the commit that carries the duplicate with nothing to write. ``fold(_:)`` moves
/// the counts into `event.arrivals` inside a transaction that writes anyway. A crash loses at
/// most the counts since the last stored event, never an event.
enum ArrivalTally {
    static func create(_ db: Database) throws {
        try db.execute(sql: "PRAGMA temp_store = MEMORY")
        try db.execute(
            sql: """
                CREATE TEMP TABLE IF NOT EXISTS arrival_tally (
                    source TEXT NOT NULL, dedup_key TEXT NOT NULL, arrivals INTEGER NOT NULL, last_arrived_at REAL NOT NULL,
                    by_webhook INTEGER NOT NULL, PRIMARY KEY (source, dedup_key))
                """
        )
    }

    /// Counts one arrival; `byWebhook` also ends the event's wait for its webhook when folded.
    static func count(source: String, dedupKey: String, at date: Double, byWebhook: Bool, _ db: Database) throws {
        try db.executeCached(
            sql: """
                INSERT INTO temp.arrival_tally (source, dedup_key, arrivals, last_arrived_at, by_webhook) VALUES (?, ?, 1, ?, ?)
                ON CONFLICT (source, dedup_key) DO UPDATE SET arrivals = arrivals + 1,
                    last_arrived_at = max(last_arrived_at, excluded.last_arrived_at), by_webhook = max(by_webhook, excluded.by_webhook)
                """,
            arguments: [source, dedupKey, date, byWebhook]
        )
    }

    /// Adds the counted arrivals to their events and clears the tally; writes nothing when empty.
    static func fold(_ db: Database) throws {
        let counted = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM temp.arrival_tally"))
        guard !counted.isEmpty else { return }
        // One indexed update per event: SQLite plans an UPDATE … FROM as a scan of the event table.
        for row in counted {
            try db.executeCached(
                sql: """
                    UPDATE main.event SET arrivals = arrivals + ?, last_arrived_at = max(last_arrived_at, ?),
                        awaiting_webhook = awaiting_webhook AND NOT ?
                    WHERE source = ? AND dedup_key = ?
                    """,
                arguments: [row["arrivals"], row["last_arrived_at"], row["by_webhook"], row["source"], row["dedup_key"]]
            )
        }
        try db.executeCached(sql: "DELETE FROM temp.arrival_tally")
    }
}
