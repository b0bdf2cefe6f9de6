import Foundation
import HookSyncCore
import Logging
import PostgresNIO

extension PostgresInbox {
    /// One transaction: the agent's row, then each source's leadership taken when free or
    /// expired, or kept when already this agent's, with terms on the server's clock.
    func heartbeat(_ agent: AgentIdentity, sources: [String], term: Duration) async throws -> Set<String> {
        let logger = logger
        do {
            return try await pool.transaction { connection in
                try await connection.query(
                    """
                    INSERT INTO agent (id, host, version, started_at, heartbeat_at)
                    VALUES (\(agent.id), \(agent.host), \(agent.version), \(agent.startedAt.timeIntervalSince1970),
                        \(unescaped: PostgresSchema.serverNow))
                    ON CONFLICT (id) DO UPDATE SET host = excluded.host, version = excluded.version,
                        started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at
                    """,
                    logger: logger
                )
                guard !sources.isEmpty else { return [] }
                let rows = try await connection.query(
                    """
                    INSERT INTO poll_leader (source, agent, until)
                    SELECT s, \(agent.id), \(unescaped: PostgresSchema.serverNow) + \(term.seconds) FROM unnest(\(sources)::text[]) AS s
                    ON CONFLICT (source) DO UPDATE SET agent = excluded.agent, until = excluded.until
                    WHERE poll_leader.agent = excluded.agent OR poll_leader.until < \(unescaped: PostgresSchema.serverNow)
                    RETURNING source
                    """,
                    logger: logger
                ).collect()
                return Set(try rows.map { try $0.decode(String.self) })
            }
        } catch {
            throw PostgresInboxError("sending a heartbeat", error)
        }
    }

    /// Whether `agent` leads `source` now; locks the leadership row until the transaction ends.
    static func leads(_ agent: String, source: String, _ connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try await !connection.query(
            """
            SELECT 1 FROM poll_leader WHERE source = \(source) AND agent = \(agent)
              AND until >= \(unescaped: PostgresSchema.serverNow) FOR SHARE
            """,
            logger: logger
        ).collect().isEmpty
    }

    func releaseLeadership(agent: String) async throws {
        do {
            _ = try await rows("DELETE FROM poll_leader WHERE agent = \(agent)")
        } catch {
            throw PostgresInboxError("giving up poll leadership", error)
        }
    }

    func agents() async throws -> [AgentPresence] {
        let logger = logger
        do {
            return try await pool.withConnection { connection in try await Self.agents(connection, logger: logger) }
        } catch {
            throw PostgresInboxError("listing agents", error)
        }
    }

    static func agents(_ connection: PostgresConnection, logger: Logger) async throws -> [AgentPresence] {
        try await connection.query(
            """
            SELECT a.id, a.host, a.version, a.started_at, a.heartbeat_at,
                greatest(\(unescaped: PostgresSchema.serverNow) - a.heartbeat_at, 0),
                COALESCE((SELECT array_agg(l.source ORDER BY l.source) FROM poll_leader l
                    WHERE l.agent = a.id AND l.until >= \(unescaped: PostgresSchema.serverNow)), '{}')
            FROM agent a ORDER BY a.id
            """,
            logger: logger
        ).collect().map { row in
            let (id, host, version, started, heartbeat, silent, leads) =
                try row.decode((String, String, String, Double, Double, Double, [String]).self)
            return AgentPresence(
                identity: AgentIdentity(id: id, host: host, version: version, startedAt: Date(timeIntervalSince1970: started)),
                lastHeartbeat: Date(timeIntervalSince1970: heartbeat),
                silentFor: .milliseconds(Int64(silent * 1000)),
                leads: leads
            )
        }
    }
}
