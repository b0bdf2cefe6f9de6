import Foundation
import HookSyncCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Several real agent processes on one PostgreSQL inbox (the tests' throwaway server), each
/// with its own data directory and agent id, as hosts behind one load balancer run them.
/// What is counted is what an outside observer sees: the lines the route command wrote.
@Suite(.serialized) struct MultiAgentTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
        _ = try directory.write("stripe.secret", Vectors.Stripe.secret + "\n")
    }

    /// A configuration for agent `id` on `inbox`: its own data directory, the shared inbox,
    /// a Stripe source and `routes`. `idle_poll` is long, so only a notification wakes a
    /// worker for work another process made due.
    func writeConfig(agent id: String, inbox: PostgresLocation, routes: String) throws -> String {
        guard case .tcp(let host, let port) = inbox.endpoint, case .file(let passwordFile) = inbox.password else {
            throw TestPostgresError("the test server listens on TCP with a password file")
        }
        return try directory.write(
            "\(id).toml",
            """
            agent_id = "\(id)"
            data_dir = "./data-\(id)"
            [inbox]
            url = "postgresql://\(inbox.user)@\(host):\(port)/\(inbox.database)?sslmode=disable"
            password = "file:\(passwordFile)"
            failover = "2s"
            [http]
            listen = "127.0.0.1:0"
            [worker]
            idle_poll = "60s"
            [[sources]]
            name = "shop"
            provider = "stripe"
            webhook_secret = "file:./stripe.secret"
            \(routes)
            """
        )
    }

    func cli(_ config: String, _ arguments: String...) async throws -> HookSyncBinary.Output {
        try await HookSyncBinary.run(arguments + ["--config", config], in: directory)
    }

    func start(_ config: String, id: String) async throws -> AgentProcess {
        let agent = try AgentProcess(config: config, dataDirectory: directory.file("data-\(id)"), directory: directory)
        _ = try await agent.waitUntilListening()
        return agent
    }

    /// Webhooks sent to both agents are each stored once and delivered once, by one agent or
    /// the other; `events` from either host sees all of them.
    @Test func webhooksSpreadAcrossAgentsAreDeliveredOnceEach() async throws {
        let inbox = try await TestPostgres.shared.newDatabase()
        let ledger = directory.file("ledger")
        let script = try directory.script("ledger.sh", "cat > /dev/null\necho \"$HOOKSYNC_EVENT_ID\" >> \(ledger)")
        let route = "[[routes]]\nname = \"ledger\"\nexec = [\"\(script)\"]"
        let configA = try writeConfig(agent: "node-a", inbox: inbox, routes: route)
        let configB = try writeConfig(agent: "node-b", inbox: inbox, routes: route)
        let a = try await start(configA, id: "node-a")
        let b = try await start(configB, id: "node-b")

        for index in 0..<12 {
            let sent = try await cli(index.isMultiple(of: 2) ? configA : configB, "send-test", "shop")
            #expect(sent.status == 0, "\(sent.stderr)")
        }
        try await eventually("12 deliveries") { directory.lines("ledger").count >= 12 }
        let listed = try await cli(configB, "events", "--json", "--state", "done")
        let events = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(events.count == 12)
        let delivered = directory.lines("ledger")
        #expect(Set(delivered).count == 12)
        #expect(Set(delivered) == Set(events.compactMap { $0["id"] as? String }))

        a.signal(SIGTERM)
        b.signal(SIGTERM)
        #expect(try await a.waitForExit() == 0)
        #expect(try await b.waitForExit() == 0)
        #expect(directory.lines("ledger").count == 12, "nothing ran twice")
    }

    /// A replay from the CLI, on no agent's host, reaches a sleeping worker through the
    /// database's notification: `idle_poll` is a minute, the delivery happens at once.
    @Test func aReplayFromAnotherHostWakesAnIdleAgent() async throws {
        let inbox = try await TestPostgres.shared.newDatabase()
        let marker = directory.file("online")
        let script = try directory.script("ledger.sh", "cat > /dev/null\n[ -e \(marker) ] || { echo offline >&2; exit 1; }")
        let route = "[[routes]]\nname = \"ledger\"\nexec = [\"\(script)\"]\nmax_attempts = 1"
        let config = try writeConfig(agent: "node-a", inbox: inbox, routes: route)
        let agent = try await start(config, id: "node-a")
        #expect(try await cli(config, "send-test", "shop").status == 0)
        try await eventually("a dead letter") {
            let output = try await cli(config, "dlq", "--json")
            return (try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]])?.count == 1
        }

        #expect(FileManager.default.createFile(atPath: marker, contents: nil))
        let cliConfig = try writeConfig(agent: "operator", inbox: inbox, routes: route)
        #expect(try await cli(cliConfig, "replay", "--all-dead").status == 0)
        // Well within idle_poll (60s): only the notification can have woken the worker.
        try await eventually("the replayed delivery", timeout: .seconds(20)) {
            let output = try await cli(cliConfig, "events", "--json", "--state", "done")
            return (try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]])?.count == 1
        }
        agent.signal(SIGTERM)
        #expect(try await agent.waitForExit() == 0)
    }
}
