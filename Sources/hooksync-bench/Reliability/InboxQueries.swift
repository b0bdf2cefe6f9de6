import Foundation
import GRDB
import HookSyncTesting

/// The reads the verdicts need, in SQL that SQLite and PostgreSQL both run, over whichever
/// inbox a scenario's agents write: one agent's file, or the database several agents share.
struct InboxQueries: Sendable {
    /// Runs a query and returns its rows, each column as text.
    let rows: @Sendable (String) async throws -> [[String]]

    /// An agent's SQLite inbox, read-only, as an operator's tool opens it while the agent runs.
    static func sqlite(_ path: String) -> InboxQueries {
        InboxQueries { sql in
            guard FileManager.default.fileExists(atPath: path) else { return [] }
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(10)
            return try DatabaseQueue(path: path, configuration: configuration).read { db in
                try Row.fetchAll(db, sql: sql).map { row in
                    row.databaseValues.map { value in
                        switch value.storage {
                        case .null: ""
                        case .int64(let number): String(number)
                        case .double(let number): String(number)
                        case .string(let text): text
                        case .blob(let data): String(decoding: data, as: UTF8.self)
                        }
                    }
                }
            }
        }
    }

    /// A database on the bench's PostgreSQL, through `psql`.
    static func postgres(_ server: ThrowawayPostgres, database: String) -> InboxQueries {
        InboxQueries { sql in
            try await server.psql(database, sql).split(separator: "\n").map {
                $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            }
        }
    }

    /// Each stored event id of `source`.
    func storedEvents(source: String = "shop") async throws -> Set<String> {
        Set(try await rows("SELECT event_id FROM event WHERE source = '\(source)'").compactMap(\.first))
    }

    /// Stored events of `source`, counting any stored twice.
    func storedCount(source: String = "shop") async throws -> Int {
        try await count("SELECT COUNT(*) FROM event WHERE source = '\(source)'")
    }

    /// Event ids whose delivery to `route` is in `state`.
    func events(route: String, state: String) async throws -> Set<String> {
        let sql = "SELECT e.event_id FROM delivery d JOIN event e ON e.id = d.event_rowid WHERE d.route = '\(route)' AND d.state = '\(state)'"
        return Set(try await rows(sql).compactMap(\.first))
    }

    /// Attempts of `route` a kill cut short, by event: each allows the route one repeat.
    func interruptedAttempts(route: String) async throws -> [String: Int] {
        let rows = try await rows(
            """
            SELECT e.event_id, COUNT(*) FROM attempt a
            JOIN delivery d ON d.id = a.delivery_id JOIN event e ON e.id = d.event_rowid
            WHERE d.route = '\(route)' AND a.outcome = 'interrupted' GROUP BY e.event_id
            """
        )
        return Dictionary(uniqueKeysWithValues: rows.compactMap { row in row.count == 2 ? Int(row[1]).map { (row[0], $0) } : nil })
    }

    /// Deliveries still to run, by any route.
    func openDeliveries() async throws -> Int {
        try await count("SELECT COUNT(*) FROM delivery WHERE state IN ('pending', 'retrying')")
    }

    /// The single number a `COUNT(*)` query answers; 0 before the inbox exists.
    func count(_ sql: String) async throws -> Int {
        Int(try await rows(sql).first?.first ?? "0") ?? 0
    }
}
