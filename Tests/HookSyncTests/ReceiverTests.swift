import AsyncAlgorithms
import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

@testable import HookSync
@testable import HookSyncCore

@Suite struct ReceiverTests {
    @Test func validStripeEventIsStoredAndAcknowledged() async throws {
        let harness = try await ReceiverHarness(now: ReceiverHarness.stripeNow)
        try await harness.application().test(.live) { client in
            let response = try await client.execute(
                uri: "/webhooks/shop",
                method: .post,
                headers: ReceiverHarness.stripeHeaders(),
                body: ByteBuffer(string: Vectors.Stripe.body)
            )
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == #"{"id":"evt_1PtestABCDEF","status":"stored"}"#)
        }
        let events = try await harness.storedEvents()
        #expect(events.count == 1)
        #expect(events[0].id == "evt_1PtestABCDEF")
        #expect(events[0].type == "customer.created")
        #expect(events[0].origin == .webhook)
        #expect(events[0].occurredAt == Date(timeIntervalSince1970: 1_700_000_000))
        let detail = try #require(try await harness.inbox.eventDetails(id: "evt_1PtestABCDEF", source: "shop").first)
        #expect(detail.body == Vectors.Stripe.body)
        #expect(detail.headers["stripe-signature"] == Vectors.Stripe.header)
    }

    @Test func validStandardWebhooksEventIsStored() async throws {
        let harness = try await ReceiverHarness(now: ReceiverHarness.standardNow)
        try await harness.application().test(.live) { client in
            let response = try await client.execute(
                uri: "/webhooks/app",
                method: .post,
                headers: ReceiverHarness.standardHeaders(),
                body: ByteBuffer(string: Vectors.StandardWebhooks.body)
            )
            #expect(response.status == .ok)
        }
        let events = try await harness.storedEvents()
        #expect(events.map(\.id) == [Vectors.StandardWebhooks.id])
        #expect(events.map(\.type) == ["contact.created"])
    }

    /// Each bad request gets its status and leaves the inbox empty.
    @Test func badInputIsRefusedAndStoresNothing() async throws {
        let harness = try await ReceiverHarness(maxBody: 1024, now: ReceiverHarness.stripeNow)
        var tampered = Array(Vectors.Stripe.body.utf8)
        tampered[20] ^= 0x01
        let malformed = "{\"id\":\"evt_1\",\"type\":"
        let malformedSigned = StripeSignature().sign(
            WebhookRequest(headers: [:], body: Array(malformed.utf8)),
            secret: Secret(Vectors.Stripe.secret),
            id: "",
            timestamp: ReceiverHarness.stripeNow()
        )
        var malformedHeaders = ReceiverHarness.stripeHeaders(nil)
        malformedHeaders.append(contentsOf: malformedSigned)
        let big = "{\"id\":\"evt_big\",\"type\":\"x\",\"pad\":\"\(String(repeating: "a", count: 2000))\"}"
        var bigHeaders = ReceiverHarness.stripeHeaders(nil)
        bigHeaders.append(
            contentsOf: StripeSignature().sign(
                WebhookRequest(headers: [:], body: Array(big.utf8)),
                secret: Secret(Vectors.Stripe.secret),
                id: "",
                timestamp: ReceiverHarness.stripeNow()
            )
        )

        var textPlain = ReceiverHarness.stripeHeaders()
        textPlain[.contentType] = "text/plain"
        let cases: [(name: String, uri: String, headers: HTTPFields, body: [UInt8], status: HTTPResponse.Status)] = [
            ("unknown source", "/webhooks/nope", ReceiverHarness.stripeHeaders(), Array(Vectors.Stripe.body.utf8), .notFound),
            ("poll-only source", "/webhooks/pull", ReceiverHarness.stripeHeaders(), Array(Vectors.Stripe.body.utf8), .notFound),
            ("missing signature", "/webhooks/shop", ReceiverHarness.stripeHeaders(nil), Array(Vectors.Stripe.body.utf8), .unauthorized),
            ("changed body byte", "/webhooks/shop", ReceiverHarness.stripeHeaders(), tampered, .unauthorized),
            (
                "garbage signature", "/webhooks/shop", ReceiverHarness.stripeHeaders("t=1700000000,v1=00"), Array(Vectors.Stripe.body.utf8),
                .unauthorized
            ),
            (
                "signed with another secret", "/webhooks/app",
                ReceiverHarness.standardHeaders(signature: "v1,4kZEUtbZ8C8E98FTo3UIsYdIlo7QRHDtR5uOHQ8KQBs="),
                Array(Vectors.StandardWebhooks.body.utf8), .unauthorized
            ),
            ("malformed JSON", "/webhooks/shop", malformedHeaders, Array(malformed.utf8), .badRequest),
            ("unsupported content type", "/webhooks/shop", textPlain, Array(Vectors.Stripe.body.utf8), .unsupportedMediaType),
            ("oversize body", "/webhooks/shop", bigHeaders, Array(big.utf8), .contentTooLarge),
        ]
        try await harness.application().test(.live) { client in
            for test in cases {
                let response = try await client.execute(uri: test.uri, method: .post, headers: test.headers, body: ByteBuffer(bytes: test.body))
                #expect(response.status == test.status, "\(test.name)")
                #expect(String(buffer: response.body).contains("\"error\""), "\(test.name) explains itself")
            }
        }
        #expect(try await harness.storedEvents().isEmpty)
    }

    @Test func staleStripeAndFutureStandardWebhooksTimestampsAreRefused() async throws {
        let stale = try await ReceiverHarness(now: { Date(timeIntervalSince1970: TimeInterval(Vectors.Stripe.timestamp + 301)) })
        try await stale.application().test(.live) { client in
            let response = try await client.execute(
                uri: "/webhooks/shop",
                method: .post,
                headers: ReceiverHarness.stripeHeaders(),
                body: ByteBuffer(string: Vectors.Stripe.body)
            )
            #expect(response.status == .unauthorized)
            #expect(String(buffer: response.body).contains("stale by 301 s"))
        }
        #expect(try await stale.storedEvents().isEmpty)

        let early = try await ReceiverHarness(now: { Date(timeIntervalSince1970: TimeInterval(Vectors.StandardWebhooks.timestamp - 301)) })
        try await early.application().test(.live) { client in
            let response = try await client.execute(
                uri: "/webhooks/app",
                method: .post,
                headers: ReceiverHarness.standardHeaders(),
                body: ByteBuffer(string: Vectors.StandardWebhooks.body)
            )
            #expect(response.status == .unauthorized)
        }
        #expect(try await early.storedEvents().isEmpty)
    }

    @Test func chunkedOversizeBodyIsRefusedWhileStreaming() async throws {
        let harness = try await ReceiverHarness(maxBody: 1024, now: ReceiverHarness.stripeNow)
        try await harness.application().test(.live) { client in
            let port = try #require(client.port)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhooks/shop")
            request.method = .POST
            request.headers.add(name: "Stripe-Signature", value: Vectors.Stripe.header)
            let chunks = (0..<8).map { _ in ByteBuffer(repeating: UInt8(ascii: "a"), count: 512) }
            request.body = .stream(chunks.async, length: .unknown)
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            #expect(response.status == .payloadTooLarge)

            // A body that never ends: past the drain cap (9 × max_body) the agent stops reading
            // and answers, so the request ends although the client would send forever.
            let sent = Mutex(0)
            let endless = AsyncStream<ByteBuffer>(unfolding: {
                sent.withLock { $0 += 4096 }
                return ByteBuffer(repeating: UInt8(ascii: "a"), count: 4096)
            })
            var forever = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhooks/shop")
            forever.method = .POST
            forever.headers.add(name: "Stripe-Signature", value: Vectors.Stripe.header)
            forever.body = .stream(endless, length: .unknown)
            do {
                let answer = try await HTTPClient.shared.execute(forever, timeout: .seconds(20))
                #expect(answer.status == .payloadTooLarge)
            } catch let error as HTTPClientError where error == .deadlineExceeded {
                Issue.record("the agent kept reading an endless body")
            } catch {
                // The agent closed the connection while the client was still sending: the read stopped.
            }
            #expect(sent.withLock { $0 } >= 9 * 1024, "the body went past the drain cap")
        }
        #expect(try await harness.storedEvents().isEmpty)
    }

    @Test func sameEventPostedFiveTimesConcurrentlyIsStoredOnceAndRunsOnce() async throws {
        let scratch = try TemporaryDirectory()
        let script = try scratch.script("route.sh", "cat > /dev/null; echo \"$HOOKSYNC_EVENT_ID $HOOKSYNC_ATTEMPT\" >> \(scratch.file("runs"))")
        let route = RouteConfig(name: "record", action: .exec([script]), timeout: .seconds(10))
        let harness = try await ReceiverHarness(routes: [route], now: ReceiverHarness.stripeNow)
        try await harness.application().test(.live) { client in
            let port = try #require(client.port)
            let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                for _ in 0..<5 {
                    group.addTask {
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhooks/shop")
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.headers.add(name: "Stripe-Signature", value: Vectors.Stripe.header)
                        request.body = .bytes(ByteBuffer(string: Vectors.Stripe.body))
                        return try await HTTPClient.shared.execute(request, timeout: .seconds(10)).status.code
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == [200, 200, 200, 200, 200])
            try await eventually("the delivery to finish") {
                try await harness.storedEvents().first?.state == .done
            }
        }
        let events = try await harness.storedEvents()
        #expect(events.count == 1)
        #expect(events[0].arrivals == 5)
        #expect(events[0].attempts == 1)
        #expect(scratch.lines("runs") == ["evt_1PtestABCDEF 1"])
    }

    /// GitHub keeps the delivery GUID across redeliveries, and shares it among every hook.
    @Test func githubRedeliveryIsOneEventButAnotherHookIsAnother() async throws {
        let harness = try await ReceiverHarness(
            sources: [SourceConfig(name: "gh", provider: "github", webhookSecrets: [.environment("GH_SECRET")])],
            environment: ["GH_SECRET": Vectors.GitHub.secret],
            now: ReceiverHarness.stripeNow
        )
        @Sendable func headers(hook: String) -> HTTPFields {
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[HTTPField.Name("X-GitHub-Event")!] = "issues"
            headers[HTTPField.Name("X-GitHub-Delivery")!] = Vectors.GitHub.delivery
            headers[HTTPField.Name("X-GitHub-Hook-ID")!] = hook
            headers[HTTPField.Name("X-Hub-Signature-256")!] = Vectors.GitHub.signature256
            return headers
        }
        try await harness.application().test(.live) { client in
            var replies: [String] = []
            for hook in [Vectors.GitHub.hookID, Vectors.GitHub.hookID, "1000001"] {
                let response = try await client.execute(
                    uri: "/webhooks/gh",
                    method: .post,
                    headers: headers(hook: hook),
                    body: ByteBuffer(string: Vectors.GitHub.body)
                )
                replies.append(String(buffer: response.body))
            }
            let stored = #"{"id":"\#(Vectors.GitHub.delivery)","status":"stored"}"#
            let duplicate = #"{"id":"\#(Vectors.GitHub.delivery)","status":"duplicate"}"#
            #expect(replies == [stored, duplicate, stored])
        }
        let events = try await harness.storedEvents()
        #expect(events.map(\.arrivals).sorted() == [1, 2])
        #expect(events.allSatisfy { $0.id == Vectors.GitHub.delivery && $0.type == "issues.opened" })
        let details = try await harness.inbox.eventDetails(id: Vectors.GitHub.delivery, source: "gh")
        #expect(Set(details.map(\.dedupKey)) == ["\(Vectors.GitHub.hookID):\(Vectors.GitHub.delivery)", "1000001:\(Vectors.GitHub.delivery)"])
        #expect(details.allSatisfy { $0.headers["x-github-hook-id"] != nil && $0.headers["x-hub-signature-256"] == nil })
    }

    static let sampleSecrets = [
        "SAMPLE_SECRET": Vectors.StandardWebhooks.secret, "HEX_SECRET": "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056",
        "PAIR_SECRET": "sample_public_key:sample_private_key",
    ]

    /// `send-test` builds each built-in provider's sample as the provider would send it.
    @Test func everyBuiltInSampleIsSignedStoredAndTyped() async throws {
        let registry = try ProviderRegistry.builtIn()
        // Public-key and certificate providers sign with a key only they hold: no sample to send.
        let names = registry.providers.values.filter { $0.sample != nil }.map(\.name).sorted()
        #expect(Set(registry.providers.values.filter { $0.sample == nil }.map(\.name)) == ["discord", "sendgrid", "paypal"])
        var sources: [SourceConfig] = []
        for name in names {
            let provider = try #require(registry.providers[name])
            // Adyen's key is hex and Braintree's a key pair; every other scheme takes the
            // Standard Webhooks secret.
            let secret = try #require(
                ["SAMPLE_SECRET", "HEX_SECRET", "PAIR_SECRET"].first { name in
                    (try? provider.scheme.validate(secret: Secret(Self.sampleSecrets[name] ?? ""))) != nil
                }
            )
            sources.append(
                SourceConfig(
                    name: name,
                    provider: name,
                    webhookSecrets: [.environment(secret)],
                    webhookURL: "https://hooks.example.com/webhooks/\(name)",
                    verifyToken: provider.challenge?.verifyToken == nil ? nil : .environment("SAMPLE_SECRET")
                )
            )
        }
        let now = Date()
        let harness = try await ReceiverHarness(sources: sources, environment: Self.sampleSecrets, now: { now })
        try await harness.application().test(.live) { client in
            for name in names {
                let source = try #require(harness.setup.sources[name])
                let sample = try TestEventSender(source: source).makeRequest(type: nil, now: now)
                let response = try await client.execute(
                    uri: "/webhooks/\(name)",
                    method: .post,
                    headers: sample.headers,
                    body: ByteBuffer(bytes: sample.body)
                )
                #expect(response.status.code / 100 == 2, "\(name): \(String(buffer: response.body))")
                let stored = try await harness.inbox.events(EventQuery(source: name, limit: 10))
                #expect(stored.map(\.type) == [sample.type], "\(name)")
            }
        }
    }
}
