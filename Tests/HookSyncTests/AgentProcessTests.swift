import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import HookSync
@testable import HookSyncCore

#if canImport(Glibc)
import Glibc
#endif

/// The agent and CLI as a user runs them: the built binary, a config file, signals.
@Suite(.serialized) struct AgentProcessTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
        _ = try directory.write("stripe.secret", Vectors.Stripe.secret + "\n")
    }

    /// Writes hooksync.toml with a Stripe source "shop" and the given routes.
    /// - Parameter top: more top-level keys, such as `retain`.
    func writeConfig(routes: String, secrets: String = "\"file:./stripe.secret\"", top: String = "") throws -> String {
        try directory.write(
            "hooksync.toml",
            """
            data_dir = "./data"
            \(top)
            [http]
            listen = "127.0.0.1:0"
            [[sources]]
            name = "shop"
            provider = "stripe"
            webhook_secret = \(secrets)
            \(routes)
            """
        )
    }

    var data: String { directory.file("data") }

    /// A rotated-out secret held in the environment, to check routes never see it.
    static let environment = [
        "HOOKSYNC_TEST_OLD_SECRET": Vectors.Stripe.secretOld, "HOOKSYNC_TEST_UNRELATED": "unrelated-credential-1f2e3d",
    ]

    func cli(_ arguments: String...) async throws -> HookSyncBinary.Output {
        try await HookSyncBinary.run(arguments + ["--config", directory.file("hooksync.toml")], in: directory, environment: Self.environment)
    }

    func events(state: String? = nil) async throws -> [[String: Any]] {
        let output: HookSyncBinary.Output
        if let state {
            output = try await cli("events", "--json", "--state", state)
        } else {
            output = try await cli("events", "--json")
        }
        #expect(output.status == 0, "events --json failed: \(output.stderr)")
        return try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]] ?? []
    }

    @Test func sendTestIsStoredDeliveredAndReportedThenSIGTERMExitsZero() async throws {
        let script = try directory.script(
            "log.sh",
            "cat >> \(directory.file("bodies"))\necho >> \(directory.file("bodies"))\nenv > \(directory.file("env"))"
        )
        let config = try writeConfig(
            routes: "[[routes]]\nname = \"log\"\nexec = [\"\(script)\"]",
            secrets: "[\"file:./stripe.secret\", \"env:HOOKSYNC_TEST_OLD_SECRET\"]"
        )
        let agent = try AgentProcess(config: config, dataDirectory: data, directory: directory, environment: Self.environment)
        let address = try await agent.waitUntilListening()

        let sent = try await cli("send-test", "shop", "--type", "charge.refunded")
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(sent.stdout.contains("200"))
        try await eventually("the event to be delivered") { try await events(state: "done").count == 1 }

        let event = try #require(try await events().first)
        for key in ["source", "id", "type", "state", "origin", "attempts", "received_at"] {
            #expect(event[key] != nil, "events --json lacks \(key)")
        }
        #expect(event["source"] as? String == "shop")
        #expect(event["type"] as? String == "charge.refunded")
        #expect(event["state"] as? String == "done")
        #expect(event["origin"] as? String == "webhook")
        #expect(event["attempts"] as? Int == 1)
        let id = try #require(event["id"] as? String)
        #expect(directory.lines("bodies").count == 1)
        #expect(directory.lines("bodies").first?.contains(id) == true)
        let routeEnvironment = directory.lines("env")
        #expect(routeEnvironment.contains("HOOKSYNC_EVENT_ID=\(id)"))
        #expect(!routeEnvironment.contains { $0.hasPrefix("HOOKSYNC_TEST_OLD_SECRET=") }, "routes must not inherit secrets")

        let shown = try await cli("events", "show", id)
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("route log: done, 1 attempt(s)"))
        #expect(!shown.stdout.contains("\"object\":\"event\""), "the body only with --body")
        let withBody = try await cli("events", "show", id, "--body")
        #expect(withBody.stdout.contains("\"id\":\"\(id)\"") && withBody.stdout.contains("\"object\":\"event\""), "\(withBody.stdout)")

        // Signed with the second secret of a rotation: accepted, and the log says which one.
        var rotated = try #require(try AgentSetup.load(path: config, environment: Self.environment).sources["shop"])
        rotated.secrets.reverse()
        let late = try TestEventSender(source: rotated).makeRequest(type: "charge.captured")
        var request = HTTPClientRequest(url: "http://\(address)/webhooks/shop")
        request.method = .POST
        request.headers.add(fields: late.headers)
        request.body = .bytes(ByteBuffer(bytes: late.body))
        #expect(try await HTTPClient.shared.execute(request, timeout: .seconds(10)).status == .ok)
        let lines = { agent.log.split(separator: "\n") }
        try await eventually("the log to name the secret") {
            lines().contains { $0.contains("event stored") && $0.contains("event_id=\(late.eventID)") && $0.contains("secret_index=1") }
        }
        #expect(!lines().contains { $0.contains("event_id=\(id)") && $0.contains("secret_index") }, "the first secret is not named")

        let running = try await cli("status", "--json")
        let status = try #require(try JSONSerialization.jsonObject(with: Data(running.stdout.utf8)) as? [String: Any])
        #expect((status["agent"] as? [String: Any])?["running"] as? Bool == true)
        #expect((status["agent"] as? [String: Any])?["id"] as? String == ProcessInfo.processInfo.hostName, "agent_id defaults to the host name")

        agent.signal(SIGTERM)
        #expect(try await agent.waitForExit() == 0)
        let stopped = try await cli("status", "--json")
        let after = try #require(try JSONSerialization.jsonObject(with: Data(stopped.stdout.utf8)) as? [String: Any])
        #expect((after["agent"] as? [String: Any])?["running"] as? Bool == false)
        let shop = try #require((after["sources"] as? [[String: Any]])?.first)
        #expect((shop["by_state"] as? [String: Int])?["done"] == 2)
        #expect(shop["provider_retry_window"] as? String == "3d")
        #expect(shop["api_retention"] as? String == "30d")
        #expect(!agent.log.contains(Vectors.Stripe.secret), "the secret must never be logged")
        #expect(!agent.log.contains(Vectors.Stripe.secretOld), "the secret must never be logged")
        #expect(!agent.log.contains("\"object\":\"event\""), "bodies must never be logged")
        #expect(!agent.log.contains("unrelated-credential-1f2e3d"), "the environment must never be logged, even at debug level")
        #expect(agent.log.contains("debug"), "the agent ran at debug level")
    }

    @Test func agentKilledDuringADeliveryFinishesItAfterRestart() async throws {
        let script = try directory.script(
            "once-hangs.sh",
            """
            cat > /dev/null
            if [ ! -e \(directory.file("first-run")) ]; then echo $$ > \(directory.file("first-run")); exec sleep 60; fi
            echo "$HOOKSYNC_EVENT_ID attempt=$HOOKSYNC_ATTEMPT" >> \(directory.file("completed"))
            """
        )
        let config = try writeConfig(routes: "[[routes]]\nname = \"slow\"\nexec = [\"\(script)\"]\ntimeout = \"2m\"")
        let first = try AgentProcess(config: config, dataDirectory: data, directory: directory)
        _ = try await first.waitUntilListening()
        #expect(try await cli("send-test", "shop").status == 0)
        try await eventually("the delivery to start") { FileManager.default.fileExists(atPath: directory.file("first-run")) }

        first.signal(SIGKILL)
        _ = try await first.waitForExit()
        if let orphan = directory.lines("first-run").first.flatMap({ Int32($0) }) { kill(orphan, SIGKILL) }
        #expect(try await events().first?["state"] as? String == "pending", "acknowledged, not yet delivered")

        let second = try AgentProcess(config: config, dataDirectory: data, directory: directory)
        _ = try await second.waitUntilListening()
        try await eventually("the interrupted delivery to finish after restart") { try await events(state: "done").count == 1 }
        let id = try #require(try await events().first?["id"] as? String)
        #expect(directory.lines("completed") == ["\(id) attempt=2"])
        let shown = try await cli("events", "show", id)
        #expect(shown.stdout.contains("interrupted"))
        second.signal(SIGTERM)
        #expect(try await second.waitForExit() == 0)
    }

    @Test func deadLetterIsListedAndReplayFromTheCLIRedeliversIt() async throws {
        let marker = directory.file("online")
        let script = try directory.script("ledger.sh", "cat > /dev/null\n[ -e \(marker) ] || { echo offline >&2; exit 1; }")
        let config = try writeConfig(
            routes: """
                [[routes]]
                name = "ledger"
                exec = ["\(script)"]
                max_attempts = 2
                backoff = { base = "10ms", max = "20ms" }
                """
        )
        let agent = try AgentProcess(config: config, dataDirectory: data, directory: directory)
        _ = try await agent.waitUntilListening()
        #expect(try await cli("send-test", "shop").status == 0)
        var letters: [[String: Any]] = []
        try await eventually("a dead letter") {
            let output = try await cli("dlq", "--json")
            letters = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]] ?? []
            return letters.count == 1
        }
        #expect(letters[0]["route"] as? String == "ledger")
        #expect(letters[0]["state"] as? String == "dead")
        #expect(letters[0]["attempts"] as? Int == 2)
        #expect(letters[0]["last_error"] as? String == "exit status 1: offline")
        let id = try #require(letters[0]["id"] as? String)

        #expect(FileManager.default.createFile(atPath: marker, contents: nil))
        let replay = try await cli("replay", id)
        #expect(replay.status == 0, "\(replay.stderr)")
        try await eventually("the replayed event to be done") { try await events(state: "done").count == 1 }
        #expect(try await cli("replay", "--all-dead").status == 1, "nothing left to replay")
        agent.signal(SIGINT)
        #expect(try await agent.waitForExit() == 0)
    }

    /// Every kind of mistake in one file: syntax-level values, a misspelt provider, a secret
    /// this host cannot read, an `order_by` that is not a field, and route commands that cannot
    /// run. `check` names them all in one run, and `run` refuses to start on them, the same way.
    @Test func checkAndRunReportEveryProblemInOneRun() async throws {
        let notExecutable = try directory.write("not-executable.sh", "#!/bin/sh\n")
        let path = try directory.write(
            "hooksync.toml",
            """
            [http]
            listen = "127.0.0.1:0"
            max_body = "huge"
            [[sources]]
            name = "shop"
            provider = "stirpe"
            webhook_secret = "env:X"
            [[sources]]
            name = "b"
            provider = "stripe"
            webhook_secret = "env:HOOKSYNC_TEST_UNSET_SECRET"
            [[routes]]
            name = "r"
            exec = ["/bin/true"]
            max_attempts = "eight"
            order_by = "data/object"
            [[routes]]
            name = "missing"
            exec = ["./no-such-program"]
            [[routes]]
            name = "plain"
            exec = ["\(notExecutable)"]
            [[routes]]
            name = "nowhere"
            exec = ["no-such-program-on-path"]
            """
        )
        let expected = [
            "\(path): http.max_body = \"huge\": expected",
            "\(path): routes[0].max_attempts = \"eight\": expected a whole number",
            "\(path): sources[0].provider = \"stirpe\": expected a known provider",
            "\(path): sources[1].webhook_secret = \"env:HOOKSYNC_TEST_UNSET_SECRET\": expected a readable secret",
            "\(path): routes[0].order_by = \"data/object\": expected a JSON pointer",
            "\(path): routes[1].exec = \"\(directory.file("no-such-program"))\": expected an executable file (there is none",
            "\(path): routes[2].exec = \"\(notExecutable)\": expected an executable file (\(notExecutable) may not be run",
            "\(path): routes[3].exec = \"no-such-program-on-path\": expected a program on PATH",
        ]
        for command in ["check", "run"] {
            let output = try await cli(command)
            #expect(output.status == 1, "\(command)")
            let lines = output.stderr.split(separator: "\n")
            #expect(lines.count == expected.count, "\(command): \(output.stderr)")
            for line in expected {
                #expect(lines.contains { $0.contains(line) }, "\(command) did not say \(line): \(output.stderr)")
            }
        }
    }

    /// The request `send-test` would send for source "shop" of `config`, signed now: posting
    /// it again is the provider sending the same event again.
    func signedSample(_ config: String) throws -> (id: String, request: HTTPClientRequest) {
        let setup = try AgentSetup.load(path: config, environment: Self.environment)
        let sample = try TestEventSender(source: try #require(setup.sources["shop"])).makeRequest(type: nil)
        var request = HTTPClientRequest(url: "")
        request.method = .POST
        request.headers.add(fields: sample.headers)
        request.body = .bytes(ByteBuffer(bytes: sample.body))
        return (sample.eventID, request)
    }

    func post(_ request: HTTPClientRequest, to address: String) async throws -> HTTPResponseStatus {
        var request = request
        request.url = "http://\(address)/webhooks/shop"
        return try await HTTPClient.shared.execute(request, timeout: .seconds(10)).status
    }

    /// `retain` is honoured while the agent runs (pruning every tenth of it, at least every
    /// second, not every 5 minutes), and the same event sent again after it was pruned is
    /// stored and delivered as new: `retain` is the deduplication window.
    @Test func anEventPrunedAfterRetainIsStoredAndDeliveredAgainAsNew() async throws {
        let ledger = directory.file("ledger")
        let script = try directory.script("ledger.sh", "cat > /dev/null\necho \"$HOOKSYNC_EVENT_ID\" >> \(ledger)")
        let config = try writeConfig(routes: "[[routes]]\nname = \"ledger\"\nexec = [\"\(script)\"]", top: "retain = \"2s\"")
        let (id, request) = try signedSample(config)
        let agent = try AgentProcess(config: config, dataDirectory: data, directory: directory)
        let address = try await agent.waitUntilListening()
        #expect(try await post(request, to: address) == .ok)
        try await eventually("delivered") { directory.lines("ledger") == [id] }
        try await eventually("pruned while the agent runs", timeout: .seconds(20)) { try await events().isEmpty }
        #expect(try await post(request, to: address) == .ok)
        try await eventually("delivered again, as a new event") { directory.lines("ledger") == [id, id] }
        agent.signal(SIGTERM)
        #expect(try await agent.waitForExit() == 0)
    }

    /// Repeats cost no write while the agent runs; their count is written when it stops.
    @Test func arrivalCountsOfRepeatsAreWrittenWhenTheAgentStops() async throws {
        let config = try writeConfig(routes: "")
        let (id, request) = try signedSample(config)
        let agent = try AgentProcess(config: config, dataDirectory: data, directory: directory)
        let address = try await agent.waitUntilListening()
        for _ in 0..<3 { #expect(try await post(request, to: address) == .ok) }
        agent.signal(SIGTERM)
        #expect(try await agent.waitForExit() == 0)
        let shown = try await cli("events", "show", id, "--json")
        let detail = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [[String: Any]]
        let event = try #require(detail?.first?["event"] as? [String: Any], "\(shown.stdout)")
        #expect(event["arrivals"] as? Int == 3, "\(shown.stdout)")
    }

    @Test func aSecondAgentOnTheSameDataDirectoryIsRefused() async throws {
        let config = try writeConfig(routes: "")
        let agent = try AgentProcess(config: config, dataDirectory: data, directory: directory)
        _ = try await agent.waitUntilListening()
        let second = try await HookSyncBinary.run(["run", "--config", config], in: directory)
        #expect(second.status == 1)
        #expect(second.stderr.contains("another hooksync agent (pid \(agent.process.processIdentifier)) is already running"))
        agent.signal(SIGTERM)
        #expect(try await agent.waitForExit() == 0)
    }
}
