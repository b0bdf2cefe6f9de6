import AsyncHTTPClient
import Foundation
import HookSyncTesting
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Testing

@testable import HookSync
@testable import HookSyncCore

#if canImport(Glibc)
import Glibc
#endif

/// `/metrics`, `/readyz` and `/healthz` on the admin listener of the built agent.
@Suite(.serialized) struct MetricsTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
        _ = try directory.write("stripe.secret", Vectors.Stripe.secret + "\n")
    }

    static func get(_ url: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(.init(url: url), timeout: .seconds(5))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    /// `name{labels} value` samples; fails the test on a line that is neither that nor a comment.
    static func samples(_ text: String) -> [String: Double] {
        let samples = PrometheusSamples(text)
        for line in samples.malformed { Issue.record("not a Prometheus sample line: \(line)") }
        return samples.values
    }

    @Test func countersMoveAsEventsArriveAndAdminEndpointsAreNotPublic() async throws {
        let admin = try freeLoopbackPort()
        let config = try directory.write(
            "hooksync.toml",
            """
            data_dir = "./data"
            [http]
            listen = "127.0.0.1:0"
            admin = "127.0.0.1:\(admin)"
            [[sources]]
            name = "shop"
            provider = "stripe"
            webhook_secret = "file:./stripe.secret"
            [[routes]]
            name = "log"
            exec = ["/bin/true"]
            """
        )
        let agent = try AgentProcess(config: config, dataDirectory: directory.file("data"), directory: directory)
        let address = try await agent.waitUntilListening()
        try await eventually("the admin listener") { (try? await Self.get("http://127.0.0.1:\(admin)/healthz"))?.status == 200 }

        let before = Self.samples(try await Self.get("http://127.0.0.1:\(admin)/metrics").body)
        #expect(before[#"hooksync_events_received_total{source="shop",origin="webhook"}"#] == nil)
        for _ in 0..<2 {
            #expect(try await HookSyncBinary.run(["send-test", "shop", "--config", config], in: directory).status == 0)
        }
        var bad = HTTPClientRequest(url: "http://\(address)/webhooks/shop")
        bad.method = .POST
        bad.headers.add(name: "Stripe-Signature", value: "t=1,v1=00")
        #expect(try await HTTPClient.shared.execute(bad, timeout: .seconds(5)).status == .unauthorized)
        try await eventually("both delivered") {
            Self.samples(try await Self.get("http://127.0.0.1:\(admin)/metrics").body)[
                #"hooksync_delivery_attempts_total{route="log",outcome="done"}"#
            ] == 2
        }
        let metrics = try await Self.get("http://127.0.0.1:\(admin)/metrics")
        let after = Self.samples(metrics.body)
        #expect(after[#"hooksync_events_received_total{source="shop",origin="webhook"}"#] == 2)
        #expect(after[#"hooksync_webhooks_rejected_total{source="shop",reason="mismatch"}"#] == 1)
        #expect(after[#"hooksync_deliveries{route="log",state="done"}"#] == 2)
        #expect(after[#"hooksync_delivery_duration_seconds_count{route="log"}"#] == 2)

        let ready = try await Self.get("http://127.0.0.1:\(admin)/readyz")
        #expect(ready.status == 200)
        #expect(ready.body == #"{"inbox":"ok","status":"ready"}"#)
        #expect(try await Self.get("http://\(address)/metrics").status == 404, "metrics stay off the public listener")
        agent.signal(SIGTERM)
        #expect(try await agent.waitForExit() == 0)
    }

    /// `/readyz` answers 503 naming each check that fails, until every one passes: a polling
    /// source that never polled, then one on time, then one overdue.
    @Test func readinessIs503WithTheReasonUntilEveryCheckPasses() async throws {
        let mock = MockStripe()
        let harness = try await PollHarness(source: mock.source(base: "http://127.0.0.1:1", mode: .poll), environment: mock.environment)
        // Whole seconds: the inbox keeps times as seconds in a Double, and the reason truncates.
        let now = ManualNow(Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
        let router = Router()
        AdminEndpoints(setup: harness.setup, inbox: harness.inbox, metrics: AgentMetrics(), now: now.closure).register(on: router, health: true)
        @Sendable func ready(_ client: some TestClientProtocol) async throws -> (status: HTTPResponse.Status, checks: [String: String]) {
            try await client.execute(uri: "/readyz", method: .get) { response in
                let checks = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: String]
                return (response.status, checks ?? [:])
            }
        }
        try await Application(router: router).test(.router) { client in
            var answer = try await ready(client)
            #expect(answer.status == .serviceUnavailable)
            #expect(answer.checks == ["inbox": "ok", "source src": "no poll yet", "status": "not ready"])
            try await harness.inbox.recordPass(source: "src", PollPassRecord(syncedUntil: now.date, polledAt: now.date, health: .healthy))
            answer = try await ready(client)
            #expect(answer.status == .ok)
            #expect(answer.checks == ["inbox": "ok", "source src": "ok", "status": "ready"])
            // Polling every minute: two runs and five minutes of retries may pass, not an hour.
            now.date = now.date.addingTimeInterval(3600)
            answer = try await ready(client)
            #expect(answer.status == .serviceUnavailable)
            #expect(answer.checks["source src"] == "last poll 3600 s ago, expected within 420 s", "\(answer.checks)")
        }
    }

    /// `--log-format json`: every line one JSON object, with no secret in any of them.
    @Test func jsonLogsAreOneObjectPerLineWithoutSecrets() async throws {
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
            """
        )
        let agent = try AgentProcess(
            config: config,
            dataDirectory: directory.file("data"),
            directory: directory,
            extraArguments: ["--log-format", "json"]
        )
        _ = try await agent.waitUntilListening()
        #expect(try await HookSyncBinary.run(["send-test", "shop", "--config", config], in: directory).status == 0)
        try await eventually("the stored event to be logged") { agent.log.contains(#""message":"event stored""#) }
        agent.signal(SIGTERM)
        #expect(try await agent.waitForExit() == 0)
        let lines = agent.log.split(separator: "\n")
        #expect(lines.count > 3)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
            #expect(object?["level"] != nil && object?["message"] != nil && object?["time"] != nil, "\(line)")
        }
        #expect(!agent.log.contains(Vectors.Stripe.secret))
    }
}
