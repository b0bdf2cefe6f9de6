import HookSyncCore
import Logging
import PostgresNIO

/// The inbox schema in PostgreSQL, one migration per version, applied by whichever agent
/// starts first while the others wait on an advisory lock. Never edit a shipped migration:
/// add one, so every shared inbox upgrades in place.
///
/// Times are seconds since 1970 (`double precision`), as the SQLite inbox keeps them; lease
/// and leadership expiries are on the server's clock (``PostgresSchema/serverNow``), so agents
/// whose clocks disagree still agree on who holds what.
enum PostgresSchema {
    /// The server's clock, in the unit every time column uses.
    static let serverNow = "extract(epoch FROM clock_timestamp())::float8"

    /// The advisory lock that serialises migrations across agents ("hooksync" in ASCII).
    static let migrationLock: Int64 = 0x686f_6f6b_7379_6e63

    /// The channel on which a commit that makes work due wakes every agent's worker.
    static let workChannel = "hooksync_work"

    static let migrations: [(version: Int, name: String, sql: String)] = [
        (
            1, "events, deliveries, attempts, dead letters, poll state",
            """
            CREATE TABLE event (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                source text NOT NULL,
                event_id text NOT NULL,
                dedup_key text NOT NULL,
                type text NOT NULL,
                occurred_at float8,
                received_at float8 NOT NULL,
                origin text NOT NULL CHECK (origin IN ('webhook', 'poll')),
                arrivals bigint NOT NULL DEFAULT 1,
                last_arrived_at float8 NOT NULL,
                headers text NOT NULL,
                body bytea NOT NULL,
                UNIQUE (source, dedup_key)
            );
            CREATE INDEX event_received ON event (received_at);
            CREATE INDEX event_event_id ON event (event_id);

            CREATE TABLE delivery (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                event_rowid bigint NOT NULL REFERENCES event (id) ON DELETE CASCADE,
                route text NOT NULL,
                state text NOT NULL CHECK (state IN ('pending', 'retrying', 'done', 'dead')),
                attempts bigint NOT NULL DEFAULT 0,
                next_attempt_at float8 NOT NULL,
                lease_owner text,
                lease_until float8,
                last_error text,
                replays bigint NOT NULL DEFAULT 0,
                updated_at float8 NOT NULL,
                order_key text,
                UNIQUE (event_rowid, route)
            );
            CREATE INDEX delivery_due ON delivery (route, next_attempt_at, id) WHERE state IN ('pending', 'retrying');
            CREATE INDEX delivery_order ON delivery (route, order_key) WHERE order_key IS NOT NULL;
            CREATE INDEX delivery_lease ON delivery (lease_owner) WHERE lease_owner IS NOT NULL;

            CREATE TABLE attempt (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                delivery_id bigint NOT NULL REFERENCES delivery (id) ON DELETE CASCADE,
                started_at float8 NOT NULL,
                duration_ms bigint NOT NULL,
                outcome text NOT NULL,
                error text
            );
            CREATE INDEX attempt_delivery ON attempt (delivery_id);

            CREATE TABLE dead_letter (
                delivery_id bigint PRIMARY KEY REFERENCES delivery (id) ON DELETE CASCADE,
                failed_at float8 NOT NULL,
                attempts bigint NOT NULL,
                last_error text NOT NULL
            );

            CREATE TABLE poll_state (
                source text PRIMARY KEY,
                cursor text,
                synced_until float8,
                last_poll_at float8,
                last_error text,
                missed bigint NOT NULL DEFAULT 0,
                health text NOT NULL DEFAULT 'healthy',
                health_reason text
            );
            """
        ),
        (
            2, "agents and poll leadership",
            """
            CREATE TABLE agent (
                id text PRIMARY KEY,
                host text NOT NULL,
                version text NOT NULL,
                started_at float8 NOT NULL,
                heartbeat_at float8 NOT NULL
            );
            CREATE TABLE poll_leader (
                source text PRIMARY KEY,
                agent text NOT NULL,
                until float8 NOT NULL
            );
            """
        ),
        (
            // A claim wants the earliest due deliveries of any of its routes; ordered by route
            // first, `delivery_due` made it read and sort the whole backlog (135 ms a claim at
            // 50,000 due), this one walks the earliest until the claim is full (0.3 ms).
            3, "due deliveries in due order",
            """
            CREATE INDEX delivery_due_at ON delivery (next_attempt_at, id) WHERE state IN ('pending', 'retrying');
            """
        ),
        (
            // Only a hybrid source's polled events with a time wait: the index holds those
            // whose grace has not run out yet.
            4, "polled events awaiting their webhooks",
            """
            ALTER TABLE event ADD COLUMN awaiting_webhook boolean NOT NULL DEFAULT false;
            CREATE INDEX event_awaiting_webhook ON event (source, occurred_at) WHERE awaiting_webhook;
            """
        ),
    ]

    /// The newest version this binary knows.
    static var currentVersion: Int { migrations.map(\.version).max() ?? 0 }

    /// The schema version in the database, or nil before any agent created the schema.
    static func version(_ connection: PostgresConnection, logger: Logger) async throws -> Int? {
        let exists =
            try await connection.query("SELECT to_regclass('hooksync_schema') IS NOT NULL", logger: logger)
            .collect().first?.decode(Bool.self) ?? false
        guard exists else { return nil }
        return try await connection.query("SELECT COALESCE(MAX(version), 0)::bigint FROM hooksync_schema", logger: logger)
            .collect().first?.decode(Int.self) ?? 0
    }

    /// Brings the schema to ``currentVersion`` in one transaction under the migration lock, or,
    /// for a reader (`create: false`), checks that it is there. Returns the version found.
    static func migrate(_ connection: PostgresConnection, create: Bool, logger: Logger) async throws(MigrationFailure) -> Int {
        do {
            return try await connection.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
                let found = try await Self.version(connection, logger: logger)
                if found == nil && !create { throw MigrationFailure.missing }
                let exists = found != nil
                var version = found ?? 0
                if version > currentVersion { throw MigrationFailure.tooNew(found: version, known: currentVersion) }
                guard create || version == currentVersion else {
                    throw MigrationFailure.behind(found: version, known: currentVersion)
                }
                if !exists {
                    try await connection.query(
                        """
                        CREATE TABLE hooksync_schema (
                            version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                        """,
                        logger: logger
                    )
                }
                for migration in migrations where migration.version > version {
                    // The extended protocol runs one statement per query.
                    for statement in migration.sql.split(separator: ";\n") where !statement.allSatisfy(\.isWhitespace) {
                        try await connection.query(PostgresQuery(unsafeSQL: String(statement)), logger: logger)
                    }
                    try await connection.query(
                        "INSERT INTO hooksync_schema (version, name) VALUES (\(migration.version), \(migration.name))",
                        logger: logger
                    )
                    version = migration.version
                }
                return version
            }
        } catch {
            if let failure = PostgresFailure.thrownInTransaction(error) as? MigrationFailure { throw failure }
            throw MigrationFailure.failed(PostgresFailure.describe(error))
        }
    }

    enum MigrationFailure: Error {
        /// A reader found no hooksync schema: no agent has started on this database yet.
        case missing
        case tooNew(found: Int, known: Int)
        case behind(found: Int, known: Int)
        case failed(String)

        /// Why the inbox cannot be used, for ``InboxError``.
        var reason: String {
            switch self {
            case .missing: "no hooksync schema in this database"
            case .tooNew(let found, let known):
                "its schema is version \(found), newer than this hooksync knows (\(known)): upgrade hooksync on this host, as on every agent sharing the inbox"
            case .behind(let found, let known):
                "its schema is version \(found) and this hooksync expects \(known): start an upgraded agent (hooksync run) to migrate it"
            case .failed(let message): "migrating the schema failed: \(message)"
            }
        }
    }
}
