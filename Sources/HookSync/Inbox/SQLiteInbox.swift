import Foundation
import GRDB

/// The inbox in one SQLite file (WAL), shared by the agent and the CLI.
///
/// Commits run with `synchronous = FULL`, so an acknowledged event survives power loss, and
/// concurrent stores (and delivery outcomes) share commits through ``GroupCommit``. A duplicate
/// arrival writes nothing: it is counted on the writer connection and folded into the event's
/// `arrivals` by the next commit that stores something anyway, so a retry storm costs no fsync.
public final class SQLiteInbox: Inbox {
    public let path: String
    let pool: DatabasePool
    private let stores: GroupCommit<IncomingEvent, StoreResult>
    private let attempts: GroupCommit<AttemptRecord, Void>

    /// Opens (creating when `create` is true) the inbox at `path` and migrates it.
    public init(path: String, create: Bool = true) throws(InboxError) {
        self.path = path
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw InboxError.missing(path)
        }
        let directory = (path as NSString).deletingLastPathComponent
        do {
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        } catch {
            throw InboxError.cannotOpen(path, reason: "cannot create \(directory): \(error.localizedDescription)")
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
            try InboxMigrations.migrator.migrate(pool)
            self.pool = pool
        } catch {
            throw InboxError.cannotOpen(path, reason: "\(error)")
        }
        let store = StoreCommit(pool: pool)
        stores = GroupCommit { events in try await store.commit(events) }
        let writer = pool
        attempts = GroupCommit { records in
            try await writer.write { db in try records.map { record in try Self.apply(record, db) } }
        }
    }

    /// `PRAGMA synchronous` of the writer connection (2 is FULL); exposed for tests.
    func writerSynchronousMode() async throws -> Int {
        try await pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    public func store(_ event: IncomingEvent) async throws -> StoreResult {
        try await stores.submit(event)
    }

    public func claimDueDeliveries(
        routes: [String],
        limit: Int,
        now: Date,
        lease: Duration,
        owner: String
    ) async throws
        -> [ClaimedDelivery]
    {
        guard !routes.isEmpty, limit > 0 else { return [] }
        return try await pool.writeWithoutTransaction { db in
            // A lease needs no fsync of its own: the agent clears every lease when it starts,
            // so a lease lost with the power changes nothing. The next synced commit (an
            // outcome, an event) makes it durable anyway; outcomes and events stay FULL.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            defer { try? db.execute(sql: "PRAGMA synchronous = FULL") }
            var claimed: [ClaimedDelivery] = []
            try db.inTransaction(.immediate) {
                claimed = try Self.claim(routes: routes, limit: limit, now: now, lease: lease, owner: owner, db)
                return .commit
            }
            return claimed
        }
    }

    private static func claim(
        routes: [String],
        limit: Int,
        now: Date,
        lease: Duration,
        owner: String,
        _ db: Database
    ) throws
        -> [ClaimedDelivery]
    {
        let nowValue = now.timeIntervalSince1970
        // A delivery with an order key waits while its key has one in flight, or an earlier
        // one (by occurrence, then arrival) not yet finished: a retrying event holds back
        // later events of its key, and only those.
        let ids = try Int64.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT d.id FROM delivery d JOIN event e ON e.id = d.event_rowid
                    WHERE d.state IN ('pending', 'retrying') AND d.next_attempt_at <= ?1
                      AND (d.lease_until IS NULL OR d.lease_until < ?1) AND d.route IN (\(databaseQuestionMarks(count: routes.count)))
                      AND (d.order_key IS NULL OR NOT EXISTS (
                        SELECT 1 FROM delivery d2 JOIN event e2 ON e2.id = d2.event_rowid
                        WHERE d2.route = d.route AND d2.order_key = d.order_key AND d2.id != d.id
                          AND ((d2.lease_until IS NOT NULL AND d2.lease_until >= ?1)
                            OR (d2.state IN ('pending', 'retrying')
                              AND (COALESCE(e2.occurred_at, e2.received_at), e2.id) < (COALESCE(e.occurred_at, e.received_at), e.id)))))
                    ORDER BY d.next_attempt_at, d.id LIMIT ?
                    """
            ),
            arguments: StatementArguments([nowValue] + routes.map { $0 as any DatabaseValueConvertible } + [limit])
        )
        guard !ids.isEmpty else { return [] }
        // Two deliveries of one key in this batch: only the earliest may run now.
        let marks = databaseQuestionMarks(count: ids.count)
        let keyed = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT d.id, d.route, d.order_key FROM delivery d JOIN event e ON e.id = d.event_rowid
                    WHERE d.id IN (\(marks)) AND d.order_key IS NOT NULL
                    ORDER BY COALESCE(e.occurred_at, e.received_at), e.id
                    """
            ),
            arguments: StatementArguments(ids)
        )
        var firstOfKey = Set<String>()
        var held = Set<Int64>()
        for row in keyed where !firstOfKey.insert("\(row["route"] as String)\u{0}\(row["order_key"] as String)").inserted {
            held.insert(row["id"])
        }
        let chosen = ids.filter { !held.contains($0) }
        let chosenMarks = databaseQuestionMarks(count: chosen.count)
        try db.executeCached(
            sql: """
                UPDATE delivery SET lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
                WHERE id IN (\(chosenMarks))
                """,
            arguments: StatementArguments([owner, nowValue + lease.seconds, nowValue] as [any DatabaseValueConvertible] + chosen)
        )
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT d.id, d.route, d.attempts, e.source, e.event_id, e.type, e.origin, e.body, e.headers,
                    d.order_key IS NOT NULL AND EXISTS (
                        SELECT 1 FROM delivery d3 JOIN event e3 ON e3.id = d3.event_rowid
                        WHERE d3.route = d.route AND d3.order_key = d.order_key AND d3.state = 'done'
                          AND (COALESCE(e3.occurred_at, e3.received_at), e3.id) > (COALESCE(e.occurred_at, e.received_at), e.id)
                    ) AS late
                FROM delivery d JOIN event e ON e.id = d.event_rowid
                WHERE d.id IN (\(chosenMarks)) ORDER BY d.next_attempt_at, d.id
                """,
            arguments: StatementArguments(chosen)
        )
        return rows.map { row in
            ClaimedDelivery(
                deliveryID: row["id"],
                route: row["route"],
                attempt: row["attempts"],
                source: row["source"],
                eventID: row["event_id"],
                type: row["type"],
                origin: EventOrigin(rawValue: row["origin"]) ?? .webhook,
                body: Array(row["body"] as Data),
                contentType: Self.contentType(inHeaders: row["headers"]),
                late: row["late"]
            )
        }
    }

    /// Attempts kept per delivery; older ones are dropped as new ones are recorded.
    static let attemptHistoryLimit = 50

    /// The content type kept with an event (headers are stored as a JSON object).
    static func contentType(inHeaders json: String) -> String? {
        ((try? JSONTree.parse(json.utf8)) as? [String: Any])?["content-type"] as? String
    }

    public func recordAttempt(_ record: AttemptRecord) async throws {
        try await attempts.submit(record)
    }

    /// One outcome, within a commit shared with the outcomes that finished alongside it.
    private static func apply(_ record: AttemptRecord, _ db: Database) throws {
        let finished = record.finishedAt.timeIntervalSince1970
        let durationMs = Int((record.finishedAt.timeIntervalSince(record.startedAt) * 1000).rounded())
        let (state, nextAttempt): (DeliveryState, Double?) =
            switch record.decision {
            case .done: (.done, nil)
            case .retry(let delay): (.retrying, finished + delay.seconds)
            case .dead: (.dead, nil)
            }
        do {
            try db.executeCached(
                sql: """
                    UPDATE delivery SET state = ?, next_attempt_at = COALESCE(?, next_attempt_at),
                        last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
                    WHERE id = ? AND lease_owner = ?
                    """,
                arguments: [state.rawValue, nextAttempt, record.error, finished, record.deliveryID, record.leaseOwner]
            )
            guard db.changesCount == 1 else { return }
            try db.executeCached(
                sql: "INSERT INTO attempt (delivery_id, started_at, duration_ms, outcome, error) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    record.deliveryID, record.startedAt.timeIntervalSince1970, durationMs,
                    record.error == nil ? "ok" : "failed", record.error,
                ]
            )
            // The history is bounded: a delivery replayed for months keeps its latest attempts.
            try db.executeCached(
                sql: """
                    DELETE FROM attempt WHERE delivery_id = ?1 AND id NOT IN (
                        SELECT id FROM attempt WHERE delivery_id = ?1 ORDER BY id DESC LIMIT ?2)
                    """,
                arguments: [record.deliveryID, attemptHistoryLimit]
            )
            if state == .dead {
                try db.executeCached(
                    sql: """
                        INSERT INTO dead_letter (delivery_id, failed_at, attempts, last_error)
                        SELECT id, ?, attempts, COALESCE(last_error, '') FROM delivery WHERE id = ?
                        ON CONFLICT (delivery_id) DO UPDATE SET failed_at = excluded.failed_at,
                            attempts = excluded.attempts, last_error = excluded.last_error
                        """,
                    arguments: [finished, record.deliveryID]
                )
            }
        }
    }

    public func releaseAllLeases() async throws -> Int {
        try await pool.write { db in
            // Leave a trace in the history: the handler may have seen the event before the stop.
            try db.executeCached(
                sql: """
                    INSERT INTO attempt (delivery_id, started_at, duration_ms, outcome, error)
                    SELECT id, updated_at, 0, 'interrupted', 'the agent stopped during this attempt'
                    FROM delivery WHERE lease_owner IS NOT NULL
                    """
            )
            try db.executeCached(sql: "UPDATE delivery SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL")
            return db.changesCount
        }
    }

    public func nextDueDate(routes: [String], after: Date) async throws -> Date? {
        guard !routes.isEmpty else { return nil }
        return try await pool.read { db in
            try Double.fetchOne(
                db,
                sql: """
                    SELECT MIN(next_attempt_at) FROM delivery
                    WHERE state IN ('pending', 'retrying') AND lease_owner IS NULL AND next_attempt_at > ?
                      AND route IN (\(databaseQuestionMarks(count: routes.count)))
                    """,
                arguments: StatementArguments([after.timeIntervalSince1970] + routes.map { $0 as any DatabaseValueConvertible })
            ).map(Date.init(timeIntervalSince1970:))
        }
    }

    /// The SQL that folds delivery states into an event's state, derived from ``DeliveryState``'s order.
    private static let stateRankSQL: String = {
        let cases = DeliveryState.allCases.sorted().enumerated().map { "WHEN '\($0.element.rawValue)' THEN \($0.offset)" }
        return "COALESCE(MIN(CASE d.state \(cases.joined(separator: " ")) END), \(DeliveryState.allCases.count - 1))"
    }()

    private static func state(rank: Int) -> DeliveryState {
        let ordered = DeliveryState.allCases.sorted()
        return ordered.indices.contains(rank) ? ordered[rank] : .done
    }

    private static let summarySelect = """
        SELECT e.id AS rowid, e.source, e.event_id, e.type, e.origin, e.received_at, e.occurred_at, e.arrivals,
            COALESCE(SUM(d.attempts), 0) AS attempts, \(stateRankSQL) AS state_rank
        FROM event e LEFT JOIN delivery d ON d.event_rowid = e.id
        """

    private static func summary(_ row: Row) -> EventSummary {
        EventSummary(
            source: row["source"],
            id: row["event_id"],
            type: row["type"],
            state: state(rank: row["state_rank"]),
            origin: EventOrigin(rawValue: row["origin"]) ?? .webhook,
            attempts: row["attempts"],
            arrivals: row["arrivals"],
            receivedAt: Date(timeIntervalSince1970: row["received_at"]),
            occurredAt: (row["occurred_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        )
    }

    public func events(_ query: EventQuery) async throws -> [EventSummary] {
        try await flushArrivals()
        let rank = query.state.flatMap { state in DeliveryState.allCases.sorted().firstIndex(of: state) }
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    \(Self.summarySelect)
                    WHERE (?1 IS NULL OR e.source = ?1)
                    GROUP BY e.id
                    HAVING (?2 IS NULL OR state_rank = ?2)
                    ORDER BY e.id DESC LIMIT ?3
                    """,
                arguments: [query.source, rank, query.limit]
            ).map(Self.summary)
        }
    }

    public func eventDetails(id: String, source: String?) async throws -> [EventDetail] {
        try await flushArrivals()
        return try await pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    \(Self.summarySelect)
                    WHERE (e.event_id = ?1 OR e.dedup_key = ?1) AND (?2 IS NULL OR e.source = ?2)
                    GROUP BY e.id ORDER BY e.id
                    """,
                arguments: [id, source]
            )
            return try rows.map { row in
                let rowid: Int64 = row["rowid"]
                let event = try Row.fetchOne(db, sql: "SELECT dedup_key, last_arrived_at, headers, body FROM event WHERE id = ?", arguments: [rowid])
                let headersJSON: String = event?["headers"] ?? "{}"
                let headers = (try? JSONDecoder().decode([String: String].self, from: Data(headersJSON.utf8))) ?? [:]
                let body: Data = event?["body"] ?? Data()
                let deliveries = try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM delivery WHERE event_rowid = ? ORDER BY route",
                    arguments: [rowid]
                ).map { delivery in
                    let deliveryID: Int64 = delivery["id"]
                    let state = DeliveryState(rawValue: delivery["state"]) ?? .pending
                    let history = try Row.fetchAll(
                        db,
                        sql: "SELECT * FROM attempt WHERE delivery_id = ? ORDER BY id",
                        arguments: [deliveryID]
                    ).map { attempt in
                        AttemptDetail(
                            startedAt: Date(timeIntervalSince1970: attempt["started_at"]),
                            durationMs: attempt["duration_ms"],
                            outcome: attempt["outcome"],
                            error: attempt["error"]
                        )
                    }
                    return DeliveryDetail(
                        id: deliveryID,
                        route: delivery["route"],
                        state: state,
                        attempts: delivery["attempts"],
                        nextAttemptAt: state == .pending || state == .retrying
                            ? Date(timeIntervalSince1970: delivery["next_attempt_at"]) : nil,
                        lastError: delivery["last_error"],
                        leased: (delivery["lease_owner"] as String?) != nil,
                        replays: delivery["replays"],
                        history: history
                    )
                }
                return EventDetail(
                    summary: Self.summary(row),
                    dedupKey: event?["dedup_key"] ?? "",
                    lastArrivedAt: Date(timeIntervalSince1970: event?["last_arrived_at"] ?? 0),
                    headers: headers,
                    body: String(decoding: body, as: UTF8.self),
                    deliveries: deliveries
                )
            }
        }
    }

    public func deadLetters(_ filter: DeadLetterFilter, limit: Int) async throws -> [DeadLetter] {
        try await pool.read { db in
            try Self.deadLetterRows(db, filter, limit: limit).map { row in
                DeadLetter(
                    deliveryID: row["delivery_id"],
                    source: row["source"],
                    id: row["event_id"],
                    type: row["type"],
                    route: row["route"],
                    attempts: row["attempts"],
                    lastError: row["last_error"],
                    failedAt: Date(timeIntervalSince1970: row["failed_at"]),
                    origin: EventOrigin(rawValue: row["origin"]) ?? .webhook,
                    receivedAt: Date(timeIntervalSince1970: row["received_at"])
                )
            }
        }
    }

    /// Dead letters matching `filter`, newest first; the type glob is applied here.
    private static func deadLetterRows(_ db: Database, _ filter: DeadLetterFilter, limit: Int? = nil) throws -> [Row] {
        let condition = filter.condition
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT l.delivery_id, l.failed_at, l.attempts, l.last_error, d.route,
                    e.source, e.event_id, e.type, e.origin, e.received_at
                FROM dead_letter l JOIN delivery d ON d.id = l.delivery_id JOIN event e ON e.id = d.event_rowid
                WHERE \(condition.sql)
                ORDER BY l.failed_at DESC, l.delivery_id DESC
                """,
            arguments: condition.arguments
        ).filter { row in filter.type.map { $0.matches(row["type"]) } ?? true }
        return limit.map { Array(rows.prefix($0)) } ?? rows
    }

    /// Deletes dead letters matching `filter` with their deliveries; an event left with no
    /// delivery goes too. Only `hooksync dlq purge` calls this: dead letters are never pruned.
    public func purgeDeadLetters(_ filter: DeadLetterFilter) async throws -> Int {
        try await pool.write { db in
            let ids: [Int64] = try Self.deadLetterRows(db, filter).map { $0["delivery_id"] }
            guard !ids.isEmpty else { return 0 }
            let marks = databaseQuestionMarks(count: ids.count)
            let events = try Int64.fetchAll(
                db,
                sql: "SELECT DISTINCT event_rowid FROM delivery WHERE id IN (\(marks))",
                arguments: StatementArguments(ids)
            )
            try db.execute(sql: "DELETE FROM delivery WHERE id IN (\(marks))", arguments: StatementArguments(ids))
            let purged = db.changesCount
            try db.execute(
                sql: """
                    DELETE FROM event WHERE id IN (\(databaseQuestionMarks(count: events.count)))
                      AND NOT EXISTS (SELECT 1 FROM delivery WHERE event_rowid = event.id)
                    """,
                arguments: StatementArguments(events)
            )
            return purged
        }
    }

    public func replay(_ selection: ReplaySelection, now: Date) async throws -> Int {
        let nowValue = now.timeIntervalSince1970
        return try await pool.write { db in
            let ids: [Int64] = try Self.deadLetterRows(db, selection.filter).map { $0["delivery_id"] }
            guard !ids.isEmpty else { return 0 }
            let marks = databaseQuestionMarks(count: ids.count)
            try db.execute(
                sql: """
                    UPDATE delivery SET state = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL,
                        replays = replays + 1, updated_at = ?
                    WHERE id IN (\(marks)) AND state = 'dead'
                    """,
                arguments: StatementArguments([nowValue, nowValue] as [any DatabaseValueConvertible] + ids)
            )
            let replayed = db.changesCount
            try db.execute(sql: "DELETE FROM dead_letter WHERE delivery_id IN (\(marks))", arguments: StatementArguments(ids))
            return replayed
        }
    }

    public func status() async throws -> InboxStatus {
        try await flushArrivals()
        return try await pool.read { db in
            var sources: [String: InboxStatus.SourceCounts] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT source, state_rank, COUNT(*) AS n, MAX(received_at) AS last FROM (
                        SELECT e.source, e.received_at, \(Self.stateRankSQL) AS state_rank
                        FROM event e LEFT JOIN delivery d ON d.event_rowid = e.id GROUP BY e.id)
                    GROUP BY source, state_rank
                    """
            ) {
                let name: String = row["source"]
                var counts = sources[name] ?? .init(source: name, events: 0, byState: [:], lastReceivedAt: nil)
                let count: Int = row["n"]
                counts.events += count
                counts.byState[Self.state(rank: row["state_rank"]).rawValue, default: 0] += count
                let last = Date(timeIntervalSince1970: row["last"])
                counts.lastReceivedAt = max(counts.lastReceivedAt ?? last, last)
                sources[name] = counts
            }
            for row in try Row.fetchAll(
                db,
                sql: "SELECT source, origin, COUNT(*) AS n, SUM(arrivals - 1) AS duplicates FROM event GROUP BY source, origin"
            ) {
                let name: String = row["source"]
                sources[name]?.byOrigin[row["origin"]] = row["n"]
                sources[name]?.duplicates += row["duplicates"] as Int? ?? 0
            }
            var routes: [String: InboxStatus.RouteCounts] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT route, state, COUNT(*) AS n,
                        MIN(CASE WHEN state IN ('pending', 'retrying') THEN e.received_at END) AS oldest
                    FROM delivery d JOIN event e ON e.id = d.event_rowid GROUP BY route, state
                    """
            ) {
                let name: String = row["route"]
                var counts = routes[name] ?? .init(route: name, pending: 0, retrying: 0, dead: 0, done: 0, oldestPendingAt: nil)
                let count: Int = row["n"]
                switch DeliveryState(rawValue: row["state"]) {
                case .pending: counts.pending = count
                case .retrying: counts.retrying = count
                case .dead: counts.dead = count
                case .done: counts.done = count
                case nil: break
                }
                if let oldest = row["oldest"] as Double? {
                    let date = Date(timeIntervalSince1970: oldest)
                    counts.oldestPendingAt = min(counts.oldestPendingAt ?? date, date)
                }
                routes[name] = counts
            }
            return InboxStatus(
                sources: sources.values.sorted { $0.source < $1.source },
                routes: routes.values.sorted { $0.route < $1.route }
            )
        }
    }
}

/// The write half of ``SQLiteInbox/store(_:)``: one transaction for a whole batch.
private struct StoreCommit: Sendable {
    let pool: DatabasePool

    func commit(_ events: [IncomingEvent]) async throws -> [StoreResult] {
        let rows = Self.encode(events)
        return try await pool.write { db in try Self.insert(rows, db) }
    }

    static func encode(_ events: [IncomingEvent]) -> [(IncomingEvent, String)] {
        events.map { event in (event, FlatJSON.object(event.headers)) }
    }

    /// Inserts each event once per (source, dedup key) with its deliveries; counts re-arrivals,
    /// which reach the event table only when this commit stores something anyway.
    static func insert(_ rows: [(IncomingEvent, String)], _ db: Database) throws -> [StoreResult] {
        let results = try rows.map { event, headers in
            let received = event.receivedAt.timeIntervalSince1970
            try db.executeCached(
                sql: """
                    INSERT INTO event (source, event_id, dedup_key, type, occurred_at, received_at, origin, last_arrived_at,
                        headers, body)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, dedup_key) DO NOTHING
                    """,
                arguments: [
                    event.source, event.eventID, event.dedupKey, event.type, event.occurredAt?.timeIntervalSince1970, received,
                    event.origin.rawValue, received, headers, Data(event.body),
                ]
            )
            guard db.changesCount == 1 else {
                try ArrivalTally.count(source: event.source, dedupKey: event.dedupKey, at: received, db)
                return StoreResult.duplicate
            }
            let rowid = db.lastInsertedRowID
            for route in event.routes {
                try db.executeCached(
                    sql: """
                        INSERT INTO delivery (event_rowid, route, state, next_attempt_at, updated_at, order_key)
                        VALUES (?, ?, 'pending', ?, ?, ?)
                        """,
                    arguments: [rowid, route, received, received, event.orderKeys[route]]
                )
            }
            return StoreResult.stored
        }
        if results.contains(.stored) { try ArrivalTally.fold(db) }
        return results
    }
}

extension SQLiteInbox {
    public func storePage(_ events: [IncomingEvent], source: String, cursor: String?) async throws -> [StoreResult] {
        let rows = StoreCommit.encode(events)
        return try await pool.write { db in
            let results = try StoreCommit.insert(rows, db)
            if let cursor {
                try db.executeCached(
                    sql: """
                        INSERT INTO poll_state (source, cursor) VALUES (?1, ?2)
                        ON CONFLICT (source) DO UPDATE SET cursor = ?2
                        """,
                    arguments: [source, cursor]
                )
            }
            return results
        }
    }

    /// Writes the re-arrivals counted since the last commit that stored an event; readers in
    /// this process call it first, and the agent calls it when it stops.
    public func flushArrivals() async throws {
        try await pool.write { db in try ArrivalTally.fold(db) }
    }

    public func checkWritable() async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO poll_state (source) VALUES ('(readyz)') ON CONFLICT DO NOTHING")
            try db.execute(sql: "DELETE FROM poll_state WHERE source = '(readyz)'")
        }
    }

    public func prune(receivedBefore cutoff: Date, limit: Int) async throws -> Int {
        try await pool.write { db in
            // Only events every delivery of which is done: pending work and dead letters stay.
            try db.execute(
                sql: """
                    DELETE FROM event WHERE id IN (
                        SELECT e.id FROM event e
                        WHERE e.received_at < ?
                          AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.event_rowid = e.id AND d.state != 'done')
                        ORDER BY e.received_at LIMIT ?)
                    """,
                arguments: [cutoff.timeIntervalSince1970, limit]
            )
            return db.changesCount
        }
    }

    public func contains(source: String, dedupKey: String) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM event WHERE source = ? AND dedup_key = ?", arguments: [source, dedupKey]) ?? false
        }
    }

    public func pollState(source: String) async throws -> PollState? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM poll_state WHERE source = ?", arguments: [source]) else {
                return nil
            }
            return PollState(
                cursor: row["cursor"],
                syncedUntil: (row["synced_until"] as Double?).map(Date.init(timeIntervalSince1970:)),
                lastPollAt: (row["last_poll_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                lastError: row["last_error"],
                missed: row["missed"],
                health: SourceHealth.State(rawValue: row["health"]) ?? .healthy,
                healthReason: row["health_reason"]
            )
        }
    }

    public func recordPass(source: String, _ pass: PollPassRecord) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO poll_state (source, synced_until, last_poll_at, last_error, missed, health, health_reason)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                    ON CONFLICT (source) DO UPDATE SET
                        synced_until = COALESCE(?2, synced_until), last_poll_at = ?3, last_error = ?4,
                        missed = missed + ?5, health = ?6, health_reason = ?7
                    """,
                arguments: [
                    source, pass.syncedUntil?.timeIntervalSince1970, pass.polledAt.timeIntervalSince1970, pass.error, pass.missed,
                    pass.health.rawValue, pass.healthReason,
                ]
            )
        }
    }

    public func lastWebhookArrival(source: String) async throws -> Date? {
        try await pool.read { db in
            try Double.fetchOne(
                db,
                sql: "SELECT MAX(last_arrived_at) FROM event WHERE source = ? AND origin = 'webhook'",
                arguments: [source]
            ).map(Date.init(timeIntervalSince1970:))
        }
    }
}

/// Why the inbox could not be opened.
public enum InboxError: Error, Sendable, CustomStringConvertible {
    case missing(String)
    case cannotOpen(String, reason: String)

    public var description: String {
        switch self {
        case .missing(let path): "no inbox at \(path) yet: the agent creates it on its first start (hooksync run)"
        case .cannotOpen(let path, let reason): "cannot open the inbox at \(path): \(reason)"
        }
    }
}
