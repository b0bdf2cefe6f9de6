import Foundation
import HookSync
import HookSyncCore
import HookSyncTesting
import Testing

/// What is about the PostgreSQL inbox itself, against the tests' throwaway server: opening it
/// and the errors an operator sees, migrations shared by several agents, and the cost of a
/// repeat. The contract every backend keeps is in `InboxContractTests`.
@Suite struct PostgresInboxTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
    }

    @Test func aWrongPasswordIsReportedInTheServersWords() async throws {
        var location = try await ThrowawayPostgres.shared.newDatabase()
        location.password = .file(try directory.write("wrong", "not-the-password"))
        let error = await #expect(throws: InboxError.self) { try await InboxFactory.open(.postgres(location), access: .create) }
        #expect(error?.description.contains("password authentication failed for user \"hooksync\"") == true, "\(String(describing: error))")
        #expect(error?.description.contains("not-the-password") == false)
    }

    @Test func aMissingPasswordSecretNamesTheKey() async throws {
        var location = try await ThrowawayPostgres.shared.newDatabase()
        location.password = .environment("HOOKSYNC_TEST_UNSET_PASSWORD")
        let error = await #expect(throws: InboxError.self) { try await InboxFactory.open(.postgres(location), access: .create) }
        #expect(error?.description.contains("[inbox] password") == true, "\(String(describing: error))")
        #expect(error?.description.contains("HOOKSYNC_TEST_UNSET_PASSWORD") == true)
    }

    @Test func anUnreachableServerAndAMissingDatabaseSayWhy() async throws {
        var refused = try await ThrowawayPostgres.shared.location(database: "postgres")
        refused.endpoint = .tcp(host: "127.0.0.1", port: try freeLoopbackPort())
        let unreachable = await #expect(throws: InboxError.self) { try await InboxFactory.open(.postgres(refused), access: .existing) }
        #expect(unreachable?.description.contains("cannot connect") == true, "\(String(describing: unreachable))")
        #expect(unreachable?.description.contains("127.0.0.1") == true)

        let missing = try await ThrowawayPostgres.shared.location(database: "no_such_database")
        let error = await #expect(throws: InboxError.self) { try await InboxFactory.open(.postgres(missing), access: .create) }
        #expect(error?.description.contains("database \"no_such_database\" does not exist") == true, "\(String(describing: error))")
    }

    /// `sslmode` as libpq means it, against the test server, which offers no TLS: `require`
    /// refuses to go on in the clear, `prefer` does.
    @Test func sslmodeRequireRefusesAServerWithoutTLSAndPreferFallsBack() async throws {
        var location = try await ThrowawayPostgres.shared.newDatabase()
        location.sslMode = .require
        let error = await #expect(throws: InboxError.self) { try await InboxFactory.open(.postgres(location), access: .create) }
        #expect(error?.description.contains("does not accept TLS") == true, "\(String(describing: error))")
        location.sslMode = .prefer
        let inbox = try await InboxFactory.open(.postgres(location), access: .create)
        #expect(try await inbox.store(InboxContractTests.event("evt_plain")) == .stored)
        try await inbox.shutdown()
    }

    /// Agents starting at once migrate once, under the advisory lock; a schema from a newer
    /// hooksync is refused with what to do, and a reader never creates the schema.
    @Test func migrationsRunOnceAndANewerSchemaIsRefused() async throws {
        let location = try await ThrowawayPostgres.shared.newDatabase()
        let reader = await #expect(throws: InboxError.self) { try await InboxFactory.open(.postgres(location), access: .existing) }
        #expect(reader?.description.contains("hooksync run") == true)

        let inboxes = try await withThrowingTaskGroup(of: (any Inbox).self) { group in
            for _ in 0..<4 { group.addTask { try await InboxFactory.open(.postgres(location), access: .create) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(inboxes.count == 4)
        for inbox in inboxes { try await inbox.shutdown() }
        #expect(
            try await ThrowawayPostgres.shared.psql(location.database, "SELECT string_agg(version::text, ',' ORDER BY version) FROM hooksync_schema")
                == "1,2,3,4",
            "each version applied once"
        )

        _ = try await ThrowawayPostgres.shared.psql(location.database, "INSERT INTO hooksync_schema (version, name) VALUES (99, 'from the future')")
        let newer = await #expect(throws: InboxError.self) { try await InboxFactory.open(.postgres(location), access: .create) }
        #expect(newer?.description.contains("schema is version 99, newer than this hooksync knows") == true, "\(String(describing: newer))")
    }

    /// Creates `refuse()`, a trigger function that fails the statement with "OP of TABLE
    /// refused by the test", then runs `triggers`, which attach it where a test wants a write
    /// to fail.
    func refuse(in database: String, _ triggers: String) async throws {
        _ = try await ThrowawayPostgres.shared.psql(
            database,
            """
            CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION '% of % refused by the test', TG_OP, TG_TABLE_NAME; END $$;
            \(triggers)
            """
        )
    }

    /// A batch whose statement fails is rolled back whole, its event with its deliveries, and
    /// is an error for its callers; the connection it ran on serves the next batches.
    @Test func aFailedBatchStoresNothingAndTheNextOnesLand() async throws {
        let location = try await ThrowawayPostgres.shared.newDatabase()
        let database = location.database
        let inbox = try await InboxFactory.open(.postgres(location), access: .create)
        try await refuse(in: database, "CREATE TRIGGER no_delivery BEFORE INSERT ON delivery FOR EACH ROW EXECUTE FUNCTION refuse();")
        let error = await #expect(throws: (any Error).self) { try await inbox.store(InboxContractTests.event("evt_refused")) }
        #expect(String(describing: error).contains("storing events failed: INSERT of delivery refused by the test"), "\(String(describing: error))")
        #expect(try await ThrowawayPostgres.shared.psql(database, "SELECT count(*) FROM event") == "0")

        _ = try await ThrowawayPostgres.shared.psql(database, "DROP TRIGGER no_delivery ON delivery")
        for index in 0..<5 { #expect(try await inbox.store(InboxContractTests.event("evt_\(index)")) == .stored) }
        #expect(try await inbox.store(InboxContractTests.event("evt_refused")) == .stored)
        #expect(try await ThrowawayPostgres.shared.psql(database, "SELECT count(*) FROM delivery") == "6")
        try await inbox.shutdown()
    }

    /// A repeat writes nothing: no row of it reaches the insert (so it takes no identity value
    /// and no transaction id), which triggers that refuse any insert show. Its counted arrivals
    /// are written later, in a transaction of their own, and add up across agents; a refused
    /// write of them is an error, not silence.
    @Test func aRepeatWritesNothingAndArrivalsAddUpAcrossAgents() async throws {
        let location = try await ThrowawayPostgres.shared.newDatabase()
        let database = location.database
        let first = try await InboxFactory.open(.postgres(location), access: .create)
        let event = InboxContractTests.event("evt_repeat")
        #expect(try await first.store(event) == .stored)

        try await refuse(
            in: database,
            """
            CREATE TRIGGER no_event BEFORE INSERT ON event FOR EACH ROW EXECUTE FUNCTION refuse();
            CREATE TRIGGER no_delivery BEFORE INSERT ON delivery FOR EACH ROW EXECUTE FUNCTION refuse();
            CREATE TRIGGER no_arrivals BEFORE UPDATE ON event FOR EACH STATEMENT EXECUTE FUNCTION refuse();
            """
        )
        let repeater = try await InboxFactory.open(.postgres(location), access: .existing)
        let results = try await withThrowingTaskGroup(of: StoreResult.self) { group in
            for _ in 0..<100 { group.addTask { try await repeater.store(event) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == Array(repeating: .duplicate, count: 100))
        let refused = await #expect(throws: (any Error).self) { try await repeater.shutdown() }
        #expect(String(describing: refused).contains("UPDATE of event refused by the test"), "\(String(describing: refused))")
        _ = try await ThrowawayPostgres.shared.psql(
            database,
            "DROP TRIGGER no_event ON event; DROP TRIGGER no_delivery ON delivery; DROP TRIGGER no_arrivals ON event"
        )

        let second = try await InboxFactory.open(.postgres(location), access: .existing)
        for _ in 0..<2 {
            #expect(try await first.store(event) == .duplicate)
            #expect(try await second.store(event) == .duplicate)
        }
        try await second.shutdown()
        #expect(try await first.eventDetails(id: "evt_repeat", source: nil).first?.summary.arrivals == 5)
        try await first.shutdown()
    }
}
