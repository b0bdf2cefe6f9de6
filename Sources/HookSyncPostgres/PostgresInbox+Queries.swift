import Foundation
import HookSyncCore
import NIOCore
import PostgresNIO

extension PostgresInbox {
    static let summarySelect = """
        SELECT e.id AS rowid, e.source, e.event_id, e.type, e.origin, e.received_at, e.occurred_at, e.arrivals,
            COALESCE(SUM(d.attempts), 0)::int8 AS attempts, \(DeliveryState.rankSQL)::int8 AS state_rank
        FROM event e LEFT JOIN delivery d ON d.event_rowid = e.id
        """

    /// Decodes the columns of ``summarySelect``, in order.
    static func summary(_ row: PostgresRow) throws -> (rowid: Int64, summary: EventSummary) {
        let (rowid, source, eventID, type, origin, received, occurred, arrivals, attempts, rank) =
            try row.decode((Int64, String, String, String, String, Double, Double?, Int, Int, Int).self)
        return (
            rowid,
            EventSummary(
                source: source,
                id: eventID,
                type: type,
                state: DeliveryState(rank: rank),
                origin: EventOrigin(rawValue: origin) ?? .webhook,
                attempts: attempts,
                arrivals: arrivals,
                receivedAt: Date(timeIntervalSince1970: received),
                occurredAt: occurred.map(Date.init(timeIntervalSince1970:))
            )
        )
    }

    func events(_ query: EventQuery) async throws -> [EventSummary] {
        do {
            try await foldArrivals()
            return try await rows(
                """
                SELECT * FROM (\(unescaped: Self.summarySelect)
                    WHERE (\(query.source)::text IS NULL OR e.source = \(query.source))
                    GROUP BY e.id) s
                WHERE (\(query.state?.rank)::int8 IS NULL OR state_rank = \(query.state?.rank))
                ORDER BY rowid DESC LIMIT \(query.limit)
                """
            ).map { try Self.summary($0).summary }
        } catch {
            throw PostgresInboxError("listing events", error)
        }
    }

    func eventDetails(id: String, source: String?) async throws -> [EventDetail] {
        do {
            try await foldArrivals()
            let summaries = try await rows(
                """
                \(unescaped: Self.summarySelect)
                WHERE (e.event_id = \(id) OR e.dedup_key = \(id)) AND (\(source)::text IS NULL OR e.source = \(source))
                GROUP BY e.id ORDER BY e.id
                """
            ).map(Self.summary)
            var details: [EventDetail] = []
            for (rowid, summary) in summaries {
                guard
                    let event = try await rows("SELECT dedup_key, last_arrived_at, headers, body FROM event WHERE id = \(rowid)").first
                else { continue }
                let (dedupKey, lastArrived, headersJSON, body) = try event.decode((String, Double, String, ByteBuffer).self)
                let headers = (try? JSONDecoder().decode([String: String].self, from: Data(headersJSON.utf8))) ?? [:]
                var deliveries: [DeliveryDetail] = []
                for delivery in try await rows(
                    """
                    SELECT id, route, state, attempts, next_attempt_at, last_error, lease_owner IS NOT NULL, replays
                    FROM delivery WHERE event_rowid = \(rowid) ORDER BY route
                    """
                ) {
                    let (deliveryID, route, stateName, attempts, next, lastError, leased, replays) =
                        try delivery.decode((Int64, String, String, Int, Double, String?, Bool, Int).self)
                    let state = DeliveryState(rawValue: stateName) ?? .pending
                    let history = try await history(of: deliveryID)
                    deliveries.append(
                        DeliveryDetail(
                            id: deliveryID,
                            route: route,
                            state: state,
                            attempts: attempts,
                            nextAttemptAt: state == .pending || state == .retrying ? Date(timeIntervalSince1970: next) : nil,
                            lastError: lastError,
                            leased: leased,
                            replays: replays,
                            history: history
                        )
                    )
                }
                details.append(
                    EventDetail(
                        summary: summary,
                        dedupKey: dedupKey,
                        lastArrivedAt: Date(timeIntervalSince1970: lastArrived),
                        headers: headers,
                        body: String(decoding: body.readableBytesView, as: UTF8.self),
                        deliveries: deliveries
                    )
                )
            }
            return details
        } catch {
            throw PostgresInboxError("reading event \(id)", error)
        }
    }

    func status() async throws -> InboxStatus {
        do {
            try await foldArrivals()
            var sources: [String: InboxStatus.SourceCounts] = [:]
            for row in try await rows(
                """
                SELECT source, state_rank, COUNT(*)::int8, MAX(received_at) FROM (
                    SELECT e.source, e.received_at, \(unescaped: DeliveryState.rankSQL) AS state_rank
                    FROM event e LEFT JOIN delivery d ON d.event_rowid = e.id GROUP BY e.id) s
                GROUP BY source, state_rank
                """
            ) {
                let (name, rank, count, lastValue) = try row.decode((String, Int, Int, Double).self)
                var counts = sources[name] ?? .init(source: name, events: 0, byState: [:], lastReceivedAt: nil)
                counts.events += count
                counts.byState[DeliveryState(rank: rank).rawValue, default: 0] += count
                let last = Date(timeIntervalSince1970: lastValue)
                counts.lastReceivedAt = max(counts.lastReceivedAt ?? last, last)
                sources[name] = counts
            }
            for row in try await rows("SELECT source, origin, COUNT(*)::int8, SUM(arrivals - 1)::int8 FROM event GROUP BY source, origin") {
                let (name, origin, count, duplicates) = try row.decode((String, String, Int, Int).self)
                sources[name]?.byOrigin[origin] = count
                sources[name]?.duplicates += duplicates
            }
            var routes: [String: InboxStatus.RouteCounts] = [:]
            for row in try await rows(
                """
                SELECT route, state, COUNT(*)::int8, MIN(CASE WHEN state IN ('pending', 'retrying') THEN e.received_at END)
                FROM delivery d JOIN event e ON e.id = d.event_rowid GROUP BY route, state
                """
            ) {
                let (name, stateName, count, oldest) = try row.decode((String, String, Int, Double?).self)
                var counts = routes[name] ?? .init(route: name, pending: 0, retrying: 0, dead: 0, done: 0, oldestPendingAt: nil)
                if let state = DeliveryState(rawValue: stateName) { counts.set(state, count) }
                if let oldest {
                    let date = Date(timeIntervalSince1970: oldest)
                    counts.oldestPendingAt = min(counts.oldestPendingAt ?? date, date)
                }
                routes[name] = counts
            }
            return InboxStatus(
                sources: sources.values.sorted { $0.source < $1.source },
                routes: routes.values.sorted { $0.route < $1.route }
            )
        } catch {
            throw PostgresInboxError("reading the status", error)
        }
    }

    func contains(source: String, dedupKey: String) async throws -> Bool {
        do {
            return try await !rows("SELECT 1 FROM event WHERE source = \(source) AND dedup_key = \(dedupKey)").isEmpty
        } catch {
            throw PostgresInboxError("looking up an event", error)
        }
    }

    func lastWebhookArrival(source: String) async throws -> Date? {
        do {
            return try await rows("SELECT MAX(received_at) FROM event WHERE source = \(source) AND origin = 'webhook'")
                .first?.decode(Double?.self).map(Date.init(timeIntervalSince1970:))
        } catch {
            throw PostgresInboxError("reading the last webhook arrival", error)
        }
    }

    /// A delivery's attempts, oldest first.
    func history(of deliveryID: Int64) async throws -> [AttemptDetail] {
        try await rows("SELECT started_at, duration_ms, outcome, error FROM attempt WHERE delivery_id = \(deliveryID) ORDER BY id").map { attempt in
            let (started, duration, outcome, error) = try attempt.decode((Double, Int, String, String?).self)
            return AttemptDetail(startedAt: Date(timeIntervalSince1970: started), durationMs: duration, outcome: outcome, error: error)
        }
    }

    /// Writes the repeats this agent counted, so that what a query reads includes them.
    func foldArrivals() async throws {
        try await PostgresIngest(pool: pool, arrivals: arrivals).foldArrivals()
    }
}
