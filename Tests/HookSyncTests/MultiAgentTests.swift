import AsyncHTTPClient
import Foundation
import HTTPTypes
import HookSyncCore
import HookSyncTesting
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
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
    func writeConfig(agent id: String, inbox: PostgresLocation, routes: String, source: String? = nil) throws -> String {
        try directory.write(
            "\(id).toml",
            """
            agent_id = "\(id)"
            data_dir = "./data-\(id)"
            \(try ThrowawayPostgres.inboxTable(inbox, extra: "failover = \"2s\""))
            [http]
            listen = "127.0.0.1:0"
            [worker]
            idle_poll = "60s"
            \(source ?? "[[sources]]\nname = \"shop\"\nprovider = \"stripe\"\nwebhook_secret = \"file:./stripe.secret\"")
            \(routes)
            """
        )
    }

    func cli(_ config: String, _ arguments: String...) async throws -> HookSyncBinary.Output {
        try await HookSyncBinary.run(arguments + ["--config", config], in: directory)
    }

    /// A route that appends each delivered event's id to `ledger`: what the outside saw.
    func ledgerRoute(timeout: String? = nil) throws -> String {
        let script = try directory.script("ledger.sh", "cat > /dev/null\necho \"$HOOKSYNC_EVENT_ID\" >> \(directory.file("ledger"))")
        return "[[routes]]\nname = \"ledger\"\nexec = [\"\(script)\"]" + (timeout.map { "\ntimeout = \"\($0)\"" } ?? "")
    }

    /// The ids of every event in the inbox, as `events --json` lists them.
    func storedIDs(_ config: String) async throws -> [String] {
        let listed = try await cli(config, "events", "--json", "--limit", "100000")
        return (try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    /// A delivery in the ledger twice must have an interrupted attempt in its history: a kill
    /// cut it short between its route's run and its outcome's commit.
    func expectRepeatsWereInterrupted(_ config: String) async throws {
        let delivered = directory.lines("ledger")
        for id in Set(delivered) where delivered.filter({ $0 == id }).count > 1 {
            let shown = try await cli(config, "events", "show", id)
            #expect(shown.stdout.contains("interrupted"), "\(id) ran twice without an interrupted attempt: \(shown.stdout)")
        }
    }

    /// SIGTERM, and a clean exit.
    func stop(_ agents: AgentProcess...) async throws {
        for agent in agents { agent.signal(SIGTERM) }
        for agent in agents { #expect(try await agent.waitForExit() == 0) }
    }

    func start(_ config: String, id: String) async throws -> AgentProcess {
        let agent = try AgentProcess(config: config, dataDirectory: directory.file("data-\(id)"), directory: directory)
        _ = try await agent.waitUntilListening()
        return agent
    }

    /// Webhooks sent to both agents are each stored once and delivered once, by one agent or
    /// the other; `events` from either host sees all of them.
    @Test func webhooksSpreadAcrossAgentsAreDeliveredOnceEach() async throws {
        let inbox = try await ThrowawayPostgres.shared.newDatabase()
        let route = try ledgerRoute()
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

        try await stop(a, b)
        #expect(directory.lines("ledger").count == 12, "nothing ran twice")
    }

    /// A replay from the CLI, on no agent's host, reaches a sleeping worker through the
    /// database's notification: `idle_poll` is a minute, the delivery happens at once.
    @Test func aReplayFromAnotherHostWakesAnIdleAgent() async throws {
        let inbox = try await ThrowawayPostgres.shared.newDatabase()
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
        try await stop(agent)
    }

    /// The poll leader killed between pages: the other agent takes the source over and
    /// continues from the last committed cursor; no page is skipped and none stored twice, and
    /// `status` and the leader gauge say who leads.
    @Test func aKilledPollLeaderIsReplacedAndNoPageIsLostOrRepeated() async throws {
        let inbox = try await ThrowawayPostgres.shared.newDatabase()
        let mock = MockStripe()
        mock.add(350, at: Date().addingTimeInterval(-600))
        let gate = mock.api.hold(request: 3)
        // A short timeout: what node-a had in flight when killed runs again once its lease
        // (timeout + failover) has run out.
        let route = try ledgerRoute(timeout: "3s")
        let environment = ["MOCK_STRIPE_KEY": mock.apiKey]
        try await mock.application().test(.live) { client in
            let source = """
                [[sources]]
                name = "shop"
                provider = "stripe"
                mode = "poll"
                api_key = "env:MOCK_STRIPE_KEY"
                api_base = "http://127.0.0.1:\(client.port!)"
                poll = "every 1h"
                """
            let configA = try writeConfig(agent: "node-a", inbox: inbox, routes: route, source: source)
            let configB = try writeConfig(agent: "node-b", inbox: inbox, routes: route, source: source)
            let a = try AgentProcess(config: configA, dataDirectory: directory.file("data-node-a"), directory: directory, environment: environment)
            try await eventually("node-a to poll two pages") { mock.api.requests.count == 3 }
            let b = try AgentProcess(config: configB, dataDirectory: directory.file("data-node-b"), directory: directory, environment: environment)
            let addressB = try await b.waitUntilListening()
            func status() async throws -> [String: Any] {
                let output = try await HookSyncBinary.run(["status", "--json", "--config", configB], in: directory)
                return try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any] ?? [:]
            }
            func leaders() async throws -> [String: [String]] {
                let agents = try await status()["agents"] as? [[String: Any]] ?? []
                return Dictionary(
                    uniqueKeysWithValues: agents.compactMap { agent in
                        (agent["id"] as? String).map { ($0, agent["leads"] as? [String] ?? []) }
                    }
                )
            }
            try await eventually("both agents seen, node-a leading") { try await leaders() == ["node-a": ["shop"], "node-b": []] }
            #expect(try await metric(address: addressB, "hooksync_poll_leader{source=\"shop\"}") == 0)

            a.signal(SIGKILL)
            _ = try await a.waitForExit()
            gate.open()
            try await eventually(
                "node-b to take over and deliver every event (\(directory.lines("ledger").count) so far); its log:\n\(b.log.suffix(4000))",
                timeout: .seconds(30)
            ) {
                directory.lines("ledger").count >= 350
            }
            try await eventually("node-a silent, node-b leading") {
                let agents = try await status()["agents"] as? [[String: Any]] ?? []
                return agents.first { $0["id"] as? String == "node-a" }?["silent"] as? Bool == true
                    && agents.first { $0["id"] as? String == "node-b" }?["leads"] as? [String] == ["shop"]
            }
            #expect(try await metric(address: addressB, "hooksync_poll_leader{source=\"shop\"}") == 1)
            let text = try await HookSyncBinary.run(["status", "--config", configB], in: directory)
            #expect(text.stdout.contains("(SILENT)"), "\(text.stdout)")

            try await stop(b)
            // Every event once in the inbox and delivered; a delivery ran twice only where
            // node-a was killed between its route's run and its outcome's commit, and the
            // history says so.
            let delivered = directory.lines("ledger")
            #expect(Set(delivered).count == 350)
            let shop = try #require((try await status()["sources"] as? [[String: Any]])?.first)
            #expect(shop["events"] as? Int == 350, "no event stored twice")
            try await expectRepeatsWereInterrupted(configB)
            let polling = try #require(shop["polling"] as? [String: Any])
            #expect(polling["cursor"] as? String == "evt_sim00000350", "continued from node-a's last page to the end")
            // An operator's backfill, from any host, finds everything already in the shared inbox.
            let backfill = try await HookSyncBinary.run(
                ["backfill", "shop", "--since", "1h", "--config", configA],
                in: directory,
                environment: environment
            )
            #expect(backfill.status == 0, "\(backfill.stderr)")
            #expect((try await status()["sources"] as? [[String: Any]])?.first?["events"] as? Int == 350, "nothing stored twice")
            #expect(b.log.contains("leading the polling of a source"))
        }
    }

    /// The database stopped under a running agent: webhooks are refused with 503 (the
    /// provider retries them) and `/readyz` says why, the agent keeps running, and once the
    /// database is back it accepts and delivers again by itself. Its own server, since it is
    /// stopped mid-test.
    @Test func aDatabaseOutageAnswers503AndTheAgentCarriesOnWhenItReturns() async throws {
        let server = ThrowawayPostgres()
        let inbox = try await server.newDatabase()
        // A second source that polls (an API nobody answers), for `/readyz` to check its poll state.
        let sources = """
            [[sources]]
            name = "shop"
            provider = "stripe"
            webhook_secret = "file:./stripe.secret"
            [[sources]]
            name = "orders"
            provider = "stripe"
            mode = "poll"
            api_key = "file:./stripe.secret"
            api_base = "http://127.0.0.1:\(try freeLoopbackPort())"
            poll = "every 1h"
            """
        let config = try writeConfig(agent: "node-a", inbox: inbox, routes: try ledgerRoute(), source: sources)
        let agent = try await start(config, id: "node-a")
        let address = try await agent.waitUntilListening()
        #expect(try await cli(config, "send-test", "shop").status == 0)
        try await eventually("the first delivery") { directory.lines("ledger").count == 1 }
        func get(_ path: String) async throws -> (status: HTTPResponseStatus, body: String) {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://\(address)\(path)"), timeout: .seconds(30))
            return (response.status, String(buffer: try await response.body.collect(upTo: 1 << 20)))
        }
        #expect(try await get("/metrics").body.contains("\nhooksync_inbox_up 1"))

        try await server.stop()
        let refused = try await cli(config, "send-test", "shop")
        #expect(refused.status == 1)
        #expect(refused.stdout.contains(": 503 "), "\(refused.stdout) \(refused.stderr)")
        let ready = try await get("/readyz")
        #expect(ready.status == .serviceUnavailable)
        #expect(ready.body.contains("not writable"), "\(ready.body)")
        // The database error, not "no poll yet": that would send an operator to the provider.
        #expect(ready.body.contains("cannot read its poll state"), "\(ready.body)")
        // The queue gauges can no longer be read: the scrape says so rather than serving them as fresh.
        let metrics = try await get("/metrics")
        #expect(metrics.status == .ok)
        #expect(metrics.body.contains("\nhooksync_inbox_up 0"), "\(metrics.body)")
        #expect(agent.process.isRunning)

        try await server.resume()
        try await eventually("webhooks accepted again", timeout: .seconds(30)) { try await cli(config, "send-test", "shop").status == 0 }
        try await eventually("delivered again") { directory.lines("ledger").count == 2 }
        try await stop(agent)
        #expect(directory.lines("ledger").count == 2, "the refused webhook was not stored")
    }

    /// Moving a stopped agent's SQLite inbox to PostgreSQL with `inbox copy`, and back; the
    /// copy refuses to run beside a running agent, and a second run copies nothing twice.
    @Test func inboxCopyMovesAStoppedAgentsInboxAndBack() async throws {
        let inbox = try await ThrowawayPostgres.shared.newDatabase()
        guard case .file(let passwordFile) = inbox.password else { throw SubprocessError("the test server has a password file") }
        let url = try ThrowawayPostgres.url(inbox)
        let route = try ledgerRoute()
        let single = try directory.write(
            "single.toml",
            """
            data_dir = "./data-single"
            [http]
            listen = "127.0.0.1:0"
            [[sources]]
            name = "shop"
            provider = "stripe"
            webhook_secret = "file:./stripe.secret"
            \(route)
            """
        )
        let agent = try await start(single, id: "single")
        for _ in 0..<3 { #expect(try await cli(single, "send-test", "shop").status == 0) }
        try await eventually("three deliveries") { directory.lines("ledger").count == 3 }
        let busy = try await cli(single, "inbox", "copy", "--to", url, "--password", "file:\(passwordFile)")
        #expect(busy.status == 1)
        #expect(busy.stderr.contains("stop it before copying"), "\(busy.stderr)")
        try await stop(agent)

        let copied = try await cli(single, "inbox", "copy", "--to", url, "--password", "file:\(passwordFile)")
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(copied.stdout.contains("copied 3 event(s)"), "\(copied.stdout)")
        let again = try await cli(single, "inbox", "copy", "--to", url, "--password", "file:\(passwordFile)")
        #expect(again.stdout.contains("copied 0 event(s)") && again.stdout.contains("3 already there"), "\(again.stdout)")

        let shared = try writeConfig(agent: "node-a", inbox: inbox, routes: route)
        let listed = try await cli(shared, "events", "--json", "--state", "done")
        #expect((try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])?.count == 3)
        let back = try await cli(shared, "inbox", "copy", "--to", directory.file("back/inbox.sqlite"))
        #expect(back.status == 0, "\(back.stderr)")
        #expect(back.stdout.contains("copied 3 event(s)"), "\(back.stdout)")
    }

    /// A Stripe-signed `invoice.paid` for customer `key`, occurring at `created`, posted to
    /// the first of `addresses` that answers, as a load balancer retries another backend when
    /// one refuses the connection. Returns the status, or nil when no agent answered.
    func post(id: String, key: String, created: Int, to addresses: [String]) async -> Int? {
        let body = Array(
            """
            {"id":"\(id)","object":"event","type":"invoice.paid","created":\(created),"data":{"object":{"id":"in_\(id)","customer":"\(key)"}}}
            """.utf8
        )
        let headers = StripeSignature().sign(
            WebhookRequest(headers: [:], body: body),
            secret: Secret(Vectors.Stripe.secret),
            id: id,
            timestamp: Date()
        )
        for address in addresses {
            var request = HTTPClientRequest(url: "http://\(address)/webhooks/shop")
            request.method = .POST
            for field in headers { request.headers.add(name: field.name.rawName, value: field.value) }
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(10)) {
                _ = try? await response.body.collect(upTo: 1 << 20)
                return Int(response.status.code)
            }
        }
        return nil
    }

    /// `order_by` across agents: events of one customer, arriving at either agent, run one at
    /// a time anywhere, in occurrence order; customers run beside each other.
    @Test func perKeyOrderHoldsAcrossAgents() async throws {
        let inbox = try await ThrowawayPostgres.shared.newDatabase()
        // Each run writes "start" and "end" lines to its customer's log, with a pause between:
        // two runs of one customer at once would interleave them.
        let script = try directory.script(
            "ordered.sh",
            """
            cat > /dev/null
            key=$(echo "$HOOKSYNC_EVENT_ID" | cut -d_ -f2)
            echo "start $HOOKSYNC_EVENT_ID" >> \(directory.file("log-"))$key
            sleep 0.05
            echo "end $HOOKSYNC_EVENT_ID" >> \(directory.file("log-"))$key
            """
        )
        let route = "[[routes]]\nname = \"ordered\"\nexec = [\"\(script)\"]\norder_by = \"/data/object/customer\""
        let a = try await start(try writeConfig(agent: "node-a", inbox: inbox, routes: route), id: "node-a")
        let b = try await start(try writeConfig(agent: "node-b", inbox: inbox, routes: route), id: "node-b")
        let addresses = [try await a.waitUntilListening(), try await b.waitUntilListening()]
        let keys = ["cusA", "cusB", "cusC"]
        var sent: [String: [String]] = [:]
        for index in 0..<8 {
            for (offset, key) in keys.enumerated() {
                let id = "evt_\(key)_\(index)"
                let target = (index + offset) % 2
                #expect(await post(id: id, key: key, created: 1_800_000_000 + index, to: [addresses[target]]) == 200)
                sent[key, default: []].append(id)
            }
        }
        try await eventually("every run finished") {
            keys.allSatisfy { directory.lines("log-\($0)").count == 16 }
        }
        for key in keys {
            let expected = sent[key, default: []].flatMap { ["start \($0)", "end \($0)"] }
            #expect(directory.lines("log-\(key)") == expected, "\(key): one at a time, in occurrence order")
        }
        try await stop(a, b)
    }

    /// One of two agents SIGKILLed again and again under load, and started again each time:
    /// every acknowledged webhook is stored once and delivered, and a delivery ran twice only
    /// where a kill cut it short, as its history shows.
    @Test func anAgentKilledRepeatedlyUnderLoadLosesNothing() async throws {
        let inbox = try await ThrowawayPostgres.shared.newDatabase()
        let route = try ledgerRoute(timeout: "3s")
        let configA = try writeConfig(agent: "node-a", inbox: inbox, routes: route)
        let configB = try writeConfig(agent: "node-b", inbox: inbox, routes: route)
        let a = try await start(configA, id: "node-a")
        var b = try await start(configB, id: "node-b")
        let addressA = try await a.waitUntilListening()

        let total = 240
        let acknowledged = try await withThrowingTaskGroup(of: String?.self) { group in
            var addressB = try await b.waitUntilListening()
            for index in 0..<total {
                // Every 60 events node-b dies mid-load and comes back: it takes its leases back.
                if index > 0 && index.isMultiple(of: 60) {
                    b.signal(SIGKILL)
                    _ = try await b.waitForExit()
                    b = try await start(configB, id: "node-b")
                    addressB = try await b.waitUntilListening()
                }
                let order = index.isMultiple(of: 2) ? [addressB, addressA] : [addressA, addressB]
                group.addTask {
                    let id = "evt_load_\(index)"
                    return await self.post(id: id, key: "cus_\(index % 7)", created: 1_800_000_000 + index, to: order) == 200 ? id : nil
                }
            }
            return try await group.reduce(into: Set<String>()) { if let id = $1 { $0.insert(id) } }
        }
        #expect(acknowledged.count == total, "with one agent always up, every webhook is acknowledged")
        try await eventually("every acknowledged event delivered", timeout: .seconds(60)) {
            acknowledged.isSubset(of: Set(directory.lines("ledger")))
        }
        let stored = try await storedIDs(configA)
        #expect(stored.count == Set(stored).count, "no event stored twice")
        #expect(Set(stored) == acknowledged)
        try await expectRepeatsWereInterrupted(configA)
        try await stop(a, b)
    }

    /// The database restarted (as a crash would stop it) in the middle of a load on two
    /// agents: webhooks answered 2xx are all stored once and delivered; the others were
    /// refused (503, or no answer), for the provider to send again.
    @Test func aDatabaseRestartedMidLoadLosesNoAcknowledgedEvent() async throws {
        let server = ThrowawayPostgres()
        let inbox = try await server.newDatabase()
        let route = try ledgerRoute(timeout: "3s")
        let configA = try writeConfig(agent: "node-a", inbox: inbox, routes: route)
        let a = try await start(configA, id: "node-a")
        let b = try await start(try writeConfig(agent: "node-b", inbox: inbox, routes: route), id: "node-b")
        let addresses = [try await a.waitUntilListening(), try await b.waitUntilListening()]

        let total = 200
        let statuses = try await withThrowingTaskGroup(of: (String, Int?).self) { group in
            for index in 0..<total {
                if index == total / 2 { try await server.restart(downFor: .milliseconds(500)) }
                group.addTask {
                    let id = "evt_restart_\(index)"
                    return (
                        id,
                        await self.post(
                            id: id,
                            key: "cus_\(index % 5)",
                            created: 1_800_000_000 + index,
                            to: index.isMultiple(of: 2) ? addresses : addresses.reversed()
                        )
                    )
                }
            }
            return try await group.reduce(into: [String: Int?]()) { $0[$1.0] = $1.1 }
        }
        let acknowledged = Set(statuses.filter { $0.value == 200 }.keys)
        #expect(statuses.values.allSatisfy { $0 == 200 || $0 == 503 || $0 == nil }, "\(Set(statuses.values))")
        #expect(acknowledged.count >= total / 2, "the agents accepted webhooks before and after the restart")
        try await eventually("every acknowledged event delivered", timeout: .seconds(60)) {
            acknowledged.isSubset(of: Set(directory.lines("ledger")))
        }
        let stored = try await storedIDs(configA)
        #expect(stored.count == Set(stored).count, "no event stored twice")
        #expect(acknowledged.isSubset(of: Set(stored)))
        #expect(a.process.isRunning && b.process.isRunning, "the agents carried on")
        try await stop(a, b)
    }

    /// `check` connects and says what it found, or exactly why it could not.
    @Test func checkReportsTheServerTheSchemaAndTheAgentsOrWhyItCannot() async throws {
        let inbox = try await ThrowawayPostgres.shared.newDatabase()
        let config = try writeConfig(agent: "node-a", inbox: inbox, routes: "")
        let before = try await cli(config, "check")
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout.contains("PostgreSQL 1"), "\(before.stdout)")
        #expect(before.stdout.contains("no schema yet"))

        let agent = try await start(config, id: "node-a")
        try await eventually("the agent's heartbeat") { try await cli(config, "check").stdout.contains("agents seen: node-a on ") }
        let running = try await cli(config, "check")
        #expect(running.stdout.contains("schema version 4 (this hooksync: 4)"), "\(running.stdout)")
        try await stop(agent)

        var wrong = inbox
        wrong.password = .file(try directory.write("wrong-password", "nope"))
        let denied = try await cli(try writeConfig(agent: "node-x", inbox: wrong, routes: ""), "check")
        #expect(denied.status == 1)
        #expect(denied.stderr.contains("password authentication failed for user \"hooksync\""), "\(denied.stderr)")

        var away = inbox
        away.endpoint = .tcp(host: "127.0.0.1", port: try freeLoopbackPort())
        let unreachable = try await cli(try writeConfig(agent: "node-y", inbox: away, routes: ""), "check")
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.contains("cannot connect"), "\(unreachable.stderr)")

        _ = try await ThrowawayPostgres.shared.psql(inbox.database, "INSERT INTO hooksync_schema (version, name) VALUES (99, 'from the future')")
        let newer = try await cli(config, "check")
        #expect(newer.status == 1)
        #expect(newer.stderr.contains("schema version 99 is newer than this hooksync knows (4)"), "\(newer.stderr)")
        let refused = try await HookSyncBinary.run(["run", "--config", config], in: directory)
        #expect(refused.status == 1, "an agent refuses to start on a newer schema")
        #expect(refused.stderr.contains("newer than this hooksync knows"), "\(refused.stderr)")
    }

    /// A value of the agent's `/metrics`, or nil when absent.
    func metric(address: String, _ name: String) async throws -> Double? {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://\(address)/metrics"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 22)
        let line = String(buffer: body).split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }
    }
}
