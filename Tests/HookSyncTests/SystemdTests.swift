import AsyncHTTPClient
import Foundation
import GRDB
import GRDBSQLite
import NIOCore
import NIOHTTP1
import Testing

@testable import HookSync
@testable import HookSyncCore

#if canImport(Glibc)
import Glibc
#endif

/// The agent under a stand-in for systemd: a real datagram socket as `NOTIFY_SOCKET`.
@Suite(.serialized) struct SystemdTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
        _ = try directory.write("stripe.secret", Vectors.Stripe.secret + "\n")
    }

    func start(_ socket: NotifySocket, watchdog: String = "1000000", route: String = "") throws -> AgentProcess {
        let config = try directory.write(
            "hooksync.toml",
            """
            data_dir = "./data"
            [http]
            listen = "127.0.0.1:0"
            [[sources]]
            name = "shop"
            provider = "stripe"
            webhook_secret = "file:./stripe.secret"
            \(route)
            """
        )
        return try AgentProcess(
            config: config,
            dataDirectory: directory.file("data"),
            directory: directory,
            environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": watchdog]
        )
    }

    @Test func readyOnlyOnceListeningWatchdogWhileHealthyStoppingOnTerm() async throws {
        let socket = try NotifySocket(path: directory.file("notify.sock"))
        let script = try directory.script("slow.sh", "cat > /dev/null; sleep 1; echo \"$HOOKSYNC_EVENT_ID\" >> \(directory.file("delivered"))")
        let agent = try start(socket, route: "[[routes]]\nname = \"slow\"\nexec = [\"\(script)\"]")
        try await eventually("READY=1") { socket.count("READY=1") == 1 }
        // READY=1 means the listener already accepts connections.
        let address = try #require(AgentLock.running(dataDirectory: directory.file("data"))?.listen)
        let health = try await HTTPClient.shared.execute(.init(url: "http://\(address)/healthz"), timeout: .seconds(5))
        #expect(health.status == .ok)
        #expect(socket.messages.first { $0.message.hasPrefix("READY=1") }?.message.contains("STATUS=listening on \(address)") == true)

        let since = ContinuousClock.now
        try await eventually("watchdog pings", timeout: .seconds(10)) { socket.count("WATCHDOG=1", after: since) >= 3 }

        // A delivery in flight when SIGTERM comes is finished, not lost.
        let sent = try await HookSyncBinary.run(["send-test", "shop", "--config", directory.file("hooksync.toml")], in: directory)
        #expect(sent.status == 0)
        try await eventually("the delivery to start") { !(try Self.pendingDeliveries(directory)) }
        agent.signal(SIGTERM)
        #expect(try await agent.waitForExit() == 0)
        #expect(socket.count("STOPPING=1") == 1)
        #expect(directory.lines("delivered").count == 1, "the in-flight delivery finished before exit")
    }

    /// True while the stored event still has a delivery that has not been claimed.
    static func pendingDeliveries(_ directory: TemporaryDirectory) throws -> Bool {
        let queue = try DatabaseQueue(path: directory.file("data/inbox.sqlite"))
        return try queue.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM delivery WHERE lease_owner IS NULL AND state = 'pending'") ?? 0
        } > 0
    }

    /// A worker stuck on the database misses its promise: the pings stop, then resume.
    @Test func watchdogStopsWhileTheWorkerIsWedged() async throws {
        let socket = try NotifySocket(path: directory.file("notify.sock"))
        let agent = try start(socket, watchdog: "500000", route: "[[routes]]\nname = \"r\"\nexec = [\"/bin/true\"]")
        try await eventually("READY=1") { socket.count("READY=1") == 1 }
        let healthy = ContinuousClock.now
        try await eventually("watchdog pings") { socket.count("WATCHDOG=1", after: healthy) >= 2 }

        // Hold the inbox's write lock on a raw connection: the worker's next claim blocks on it.
        var connection: OpaquePointer?
        #expect(sqlite3_open(directory.file("data/inbox.sqlite"), &connection) == SQLITE_OK)
        defer { sqlite3_close(connection) }
        #expect(sqlite3_exec(connection, "BEGIN EXCLUSIVE", nil, nil, nil) == SQLITE_OK)
        try await eventually("the watchdog to fall silent", timeout: .seconds(8)) {
            socket.messages.last { $0.message.hasPrefix("STATUS=stalled") } != nil
        }
        let silent = ContinuousClock.now
        // No ping while wedged, for longer than the agent's own ping period (250 ms).
        try await eventually("two watchdog periods to pass") { ContinuousClock.now - silent > .milliseconds(600) }
        #expect(socket.count("WATCHDOG=1", after: silent) == 0)
        #expect(sqlite3_exec(connection, "COMMIT", nil, nil, nil) == SQLITE_OK)
        let resumed = ContinuousClock.now
        try await eventually("pings to resume", timeout: .seconds(15)) { socket.count("WATCHDOG=1", after: resumed) >= 1 }
        agent.signal(SIGTERM)
        #expect(try await agent.waitForExit() == 0)
    }

    @Test func notifierReachesAbstractSocketsAndReadsTheWatchdogSettings() async throws {
        let name = "@hooksync-test-\(UUID().uuidString.prefix(8))"
        let socket = try NotifySocket(path: name)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": name]).notify("READY=1"))
        try await eventually("the datagram") { socket.count("READY=1") == 1 }
        #expect(SystemdNotifier(environment: [:]).notify("READY=1") == false, "outside systemd nothing is sent")
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000"]) == .seconds(30))
        #expect(
            SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"]) == nil,
            "another process's watchdog"
        )
        #expect(SystemdNotifier.watchdogInterval(environment: [:]) == nil)
    }
}
