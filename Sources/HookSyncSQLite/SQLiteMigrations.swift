import GRDB

/// The inbox schema, one registered migration per version. Never edit a shipped migration:
/// add a new one, so every existing inbox upgrades in place.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: events, deliveries, attempts, dead letters") { db in
            try db.execute(
                sql: """
                    CREATE TABLE event (
                        id INTEGER PRIMARY KEY,
                        source TEXT NOT NULL,
                        event_id TEXT NOT NULL,
                        type TEXT NOT NULL,
                        occurred_at REAL,
                        received_at REAL NOT NULL,
                        origin TEXT NOT NULL CHECK (origin IN ('webhook', 'poll')),
                        arrivals INTEGER NOT NULL DEFAULT 1,
                        last_arrived_at REAL NOT NULL,
                        headers TEXT NOT NULL,
                        body BLOB NOT NULL,
                        UNIQUE (source, event_id)
                    );
                    CREATE INDEX event_received ON event (received_at);

                    CREATE TABLE delivery (
                        id INTEGER PRIMARY KEY,
                        event_rowid INTEGER NOT NULL REFERENCES event (id) ON DELETE CASCADE,
                        route TEXT NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('pending', 'retrying', 'done', 'dead')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at REAL NOT NULL,
                        lease_owner TEXT,
                        lease_until REAL,
                        last_error TEXT,
                        replays INTEGER NOT NULL DEFAULT 0,
                        updated_at REAL NOT NULL,
                        UNIQUE (event_rowid, route)
                    );
                    CREATE INDEX delivery_due ON delivery (next_attempt_at) WHERE state IN ('pending', 'retrying');
                    CREATE INDEX delivery_route_state ON delivery (route, state);

                    CREATE TABLE attempt (
                        id INTEGER PRIMARY KEY,
                        delivery_id INTEGER NOT NULL REFERENCES delivery (id) ON DELETE CASCADE,
                        started_at REAL NOT NULL,
                        duration_ms INTEGER NOT NULL,
                        outcome TEXT NOT NULL,
                        error TEXT
                    );
                    CREATE INDEX attempt_delivery ON attempt (delivery_id);

                    CREATE TABLE dead_letter (
                        delivery_id INTEGER PRIMARY KEY REFERENCES delivery (id) ON DELETE CASCADE,
                        failed_at REAL NOT NULL,
                        attempts INTEGER NOT NULL,
                        last_error TEXT NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v2: a dedup key apart from the event id") { db in
            // SQLite cannot change a UNIQUE constraint in place: rebuild the table, as GRDB's
            // migration guide recommends. Foreign keys are off while a migration runs.
            try db.execute(
                sql: """
                    CREATE TABLE event_v2 (
                        id INTEGER PRIMARY KEY,
                        source TEXT NOT NULL,
                        event_id TEXT NOT NULL,
                        dedup_key TEXT NOT NULL,
                        type TEXT NOT NULL,
                        occurred_at REAL,
                        received_at REAL NOT NULL,
                        origin TEXT NOT NULL CHECK (origin IN ('webhook', 'poll')),
                        arrivals INTEGER NOT NULL DEFAULT 1,
                        last_arrived_at REAL NOT NULL,
                        headers TEXT NOT NULL,
                        body BLOB NOT NULL,
                        UNIQUE (source, dedup_key)
                    );
                    INSERT INTO event_v2 (id, source, event_id, dedup_key, type, occurred_at, received_at, origin, arrivals,
                        last_arrived_at, headers, body)
                    SELECT id, source, event_id, event_id, type, occurred_at, received_at, origin, arrivals,
                        last_arrived_at, headers, body
                    FROM event;
                    DROP TABLE event;
                    ALTER TABLE event_v2 RENAME TO event;
                    CREATE INDEX event_received ON event (received_at);
                    CREATE INDEX event_event_id ON event (event_id);
                    """
            )
        }
        migrator.registerMigration("v3: polling state per source") { db in
            try db.execute(
                sql: """
                    CREATE TABLE poll_state (
                        source TEXT PRIMARY KEY,
                        cursor TEXT,
                        synced_until REAL,
                        last_poll_at REAL,
                        last_error TEXT,
                        missed INTEGER NOT NULL DEFAULT 0,
                        health TEXT NOT NULL DEFAULT 'healthy',
                        health_reason TEXT
                    );
                    """
            )
        }
        migrator.registerMigration("v4: per-key delivery order") { db in
            try db.execute(
                sql: """
                    ALTER TABLE delivery ADD COLUMN order_key TEXT;
                    CREATE INDEX delivery_order ON delivery (route, order_key) WHERE order_key IS NOT NULL;
                    """
            )
        }
        migrator.registerMigration("v5: due deliveries in claim order per route") { db in
            // The worker claims one route at a time, oldest due first: with this index that is
            // a walk of the first rows, where (route, state) sorted every pending delivery.
            try db.execute(
                sql: """
                    DROP INDEX delivery_due;
                    CREATE INDEX delivery_due ON delivery (route, next_attempt_at) WHERE state IN ('pending', 'retrying');
                    """
            )
        }
        migrator.registerMigration("v6: polled events awaiting their webhooks") { db in
            // Only a hybrid source's polled events with a time wait: the index holds those whose
            // grace has not run out yet, a few minutes of polling at most.
            try db.execute(
                sql: """
                    ALTER TABLE event ADD COLUMN awaiting_webhook INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX event_awaiting_webhook ON event (source, occurred_at) WHERE awaiting_webhook = 1;
                    """
            )
        }
        return migrator
    }
}
