import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import HookSync
@testable import HookSyncCore

/// Requests that are not events: endpoint checks answered as each provider expects, and
/// one-time tokens that must not be accepted twice. None of them stores anything it should not.
@Suite struct HandshakeTests {
    static let secret = "handshake-tests-secret"

    static func harness(_ providers: [String], now: @escaping @Sendable () -> Date = { Date() }) async throws -> ReceiverHarness {
        try await ReceiverHarness(
            sources: providers.map { SourceConfig(name: $0, provider: $0, webhookSecrets: [.environment("SECRET")]) },
            environment: ["SECRET": secret],
            now: now
        )
    }

    /// WooCommerce pings a new webhook with an unsigned `webhook_id=<n>` form and wants 200.
    /// Only that is let through unsigned: a bigger body, an unsigned event or a ping with a
    /// wrong signature is refused, and none of them is stored.
    @Test func wooCommercePingIsAnsweredUnsignedButNothingElseIs() async throws {
        let harness = try await Self.harness(["woocommerce"])
        try await harness.application().test(.live) { client in
            var form = HTTPFields()
            form[.contentType] = "application/x-www-form-urlencoded"
            let ping = try await client.execute(uri: "/webhooks/woocommerce", method: .post, headers: form, body: ByteBuffer(string: "webhook_id=12"))
            #expect(ping.status == .ok)
            #expect(String(buffer: ping.body).isEmpty)

            let padded = "webhook_id=12&padding=" + String(repeating: "x", count: ProviderChallenge.unsignedBodyLimit)
            let big = try await client.execute(uri: "/webhooks/woocommerce", method: .post, headers: form, body: ByteBuffer(string: padded))
            #expect(big.status == .unauthorized)

            var json = HTTPFields()
            json[.contentType] = "application/json"
            json[HTTPField.Name("X-WC-Webhook-Topic")!] = "order.updated"
            let unsigned = try await client.execute(
                uri: "/webhooks/woocommerce",
                method: .post,
                headers: json,
                body: ByteBuffer(string: #"{"id":727,"date_modified_gmt":"2025-11-22T08:26:38"}"#)
            )
            #expect(unsigned.status == .unauthorized)

            var forged = form
            forged[HTTPField.Name("X-WC-Webhook-Signature")!] = "bm90IGEgc2lnbmF0dXJlIG9mIHRoaXMgYm9keSEhIQ=="
            let wrong = try await client.execute(
                uri: "/webhooks/woocommerce",
                method: .post,
                headers: forged,
                body: ByteBuffer(string: "webhook_id=12")
            )
            #expect(wrong.status == .unauthorized)
        }
        #expect(try await harness.storedEvents().isEmpty)
    }

    /// Intercom validates a new endpoint with HEAD; only configured webhook sources answer 200.
    @Test func headAnswersForKnownSourcesOnly() async throws {
        let harness = try await Self.harness(["intercom"])
        try await harness.application().test(.live) { client in
            #expect(try await client.execute(uri: "/webhooks/intercom", method: .head).status == .ok)
            #expect(try await client.execute(uri: "/webhooks/nobody", method: .head).status == .notFound)
            let get = try await client.execute(uri: "/webhooks/intercom", method: .get)
            #expect(get.status == .methodNotAllowed, "intercom has no GET handshake")
        }
    }

    /// Mailgun signs a timestamp and a one-time token, not the event: the same token twice is a
    /// replay and is refused, even though the signature still verifies.
    @Test func mailgunTokenIsAcceptedOnce() async throws {
        let now = Date(timeIntervalSince1970: 1_763_800_000)
        let harness = try await Self.harness(["mailgun"], now: { now })
        let source = try #require(harness.setup.sources["mailgun"])
        let sender = TestEventSender(source: source)
        let first = try sender.makeRequest(type: nil, now: now)
        let second = try sender.makeRequest(type: nil, now: now)
        try await harness.application().test(.live) { client in
            let accepted = try await client.execute(
                uri: "/webhooks/mailgun",
                method: .post,
                headers: first.headers,
                body: ByteBuffer(bytes: first.body)
            )
            #expect(accepted.status == .ok)
            let replayed = try await client.execute(
                uri: "/webhooks/mailgun",
                method: .post,
                headers: first.headers,
                body: ByteBuffer(bytes: first.body)
            )
            #expect(replayed.status == .unauthorized)
            #expect(String(buffer: replayed.body).contains("replayed"))
            let fresh = try await client.execute(
                uri: "/webhooks/mailgun",
                method: .post,
                headers: second.headers,
                body: ByteBuffer(bytes: second.body)
            )
            #expect(fresh.status == .ok, "another token is another request")
        }
        #expect(try await harness.storedEvents().map(\.id).sorted() == [first.eventID, second.eventID].sorted())
    }

    @Test func replayWindowForgetsAfterItsLifetimeAndOnRelease() {
        let start = Date(timeIntervalSince1970: 1_000)
        var window = ReplayWindow(lifetime: .seconds(60))
        func claim(_ value: String, at seconds: TimeInterval) -> Bool {
            window.claim(value, now: start.addingTimeInterval(seconds))
        }
        #expect(claim("a", at: 0))
        #expect(!claim("a", at: 59))
        #expect(claim("a", at: 61), "past its lifetime the timestamp check refuses a replay")
        #expect(claim("b", at: 61))
        window.release("b")
        #expect(claim("b", at: 62), "a released claim lets the retry in")
        // Expired values are swept: memory holds what the window can still refuse.
        #expect(claim("c", at: 200))
        #expect(window.count == 1)
    }
}

extension HandshakeTests {
    /// Meta checks a callback URL with a GET carrying the operator's verify token: the challenge
    /// comes back only when the token matches; nothing about it is stored.
    @Test func metaGetHandshakeAnswersOnlyTheRightToken() async throws {
        let harness = try await ReceiverHarness(
            sources: [SourceConfig(name: "fb", provider: "meta", webhookSecrets: [.environment("SECRET")], verifyToken: .environment("TOKEN"))],
            environment: ["SECRET": Self.secret, "TOKEN": "meatyhamhock"],
            now: { Date() }
        )
        try await harness.application().test(.live) { client in
            let good = try await client.execute(
                uri: "/webhooks/fb?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock",
                method: .get
            )
            #expect(good.status == .ok)
            #expect(String(buffer: good.body) == "1158201444")
            let wrong = try await client.execute(uri: "/webhooks/fb?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=guess", method: .get)
            #expect(wrong.status == .forbidden)
            #expect(!String(buffer: wrong.body).contains("1158201444"))
            let missing = try await client.execute(uri: "/webhooks/fb?hub.mode=subscribe&hub.challenge=1158201444", method: .get)
            #expect(missing.status == .forbidden)
            let notSubscribe = try await client.execute(uri: "/webhooks/fb?hub.mode=unsubscribe&hub.verify_token=meatyhamhock", method: .get)
            #expect(notSubscribe.status == .badRequest)
            #expect(try await client.execute(uri: "/webhooks/other?hub.mode=subscribe", method: .get).status == .notFound)
        }
        #expect(try await harness.storedEvents().isEmpty)
    }

    /// A source of a provider that signs with a private key takes the provider's public key,
    /// and `hooksync check` says so when it is given a secret or a key that does not parse.
    @Test func publicKeyProvidersNeedAPublicKeyThatParses() throws {
        func problems(_ source: SourceConfig) -> String {
            let config = AgentConfig(
                file: "hooksync.toml",
                dataDirectory: "/tmp/unused",
                http: HTTPSettings(host: "127.0.0.1", port: 0),
                sources: [source],
                routes: []
            )
            do {
                _ = try AgentSetup.prepare(config: config, environment: ["SECRET": "s3cret"])
                return ""
            } catch {
                return "\(error)"
            }
        }
        let secretOnly = problems(SourceConfig(name: "d", provider: "discord", webhookSecrets: [.environment("SECRET")]))
        #expect(secretOnly.contains("sources[0].public_key"), "\(secretOnly)")
        let notAKey = problems(SourceConfig(name: "d", provider: "discord", publicKeys: ["not-a-key"]))
        #expect(notAKey.contains("sources[0].public_key = \"not-a-key\"") && notAKey.contains("32 bytes in hex or base64"), "\(notAKey)")
        let hex = String(repeating: "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8", count: 1)
        #expect(problems(SourceConfig(name: "d", provider: "discord", publicKeys: [hex])).isEmpty)
        let sendgrid = problems(SourceConfig(name: "s", provider: "sendgrid", publicKeys: [hex]))
        #expect(sendgrid.contains("base64 of its DER SubjectPublicKeyInfo"), "\(sendgrid)")
        let keyForSecretProvider = problems(SourceConfig(name: "g", provider: "github", webhookSecrets: [.environment("SECRET")], publicKeys: [hex]))
        #expect(keyForSecretProvider.contains("sources[0].public_key"), "\(keyForSecretProvider)")
    }

    /// A batch is stored whole or not at all: one malformed element refuses the request, a
    /// resent batch is all duplicates, and a batch overlapping an earlier one stores only the new.
    @Test func aBatchIsStoredWholeAndEachEventOnce() async throws {
        let now = Date(timeIntervalSince1970: 1_763_800_000)
        let url = "https://hooks.example.com/webhooks/hub"
        let harness = try await ReceiverHarness(
            sources: [SourceConfig(name: "hub", provider: "hubspot", webhookSecrets: [.environment("SECRET")], webhookURL: url)],
            environment: ["SECRET": Self.secret],
            now: { now }
        )
        let scheme = try #require(harness.setup.sources["hub"]).scheme
        @Sendable func event(_ id: Int) -> String {
            #"{"eventId":\#(id),"subscriptionId":7,"portalId":62515,"occurredAt":1763799999000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":\#(id)}"#
        }
        @Sendable func post(_ body: String, _ client: some TestClientProtocol) async throws -> (HTTPResponse.Status, String) {
            var headers = try scheme.sign(
                WebhookRequest(headers: [:], body: Array(body.utf8), url: url),
                secret: Secret(Self.secret),
                id: "",
                timestamp: now
            )
            headers[.contentType] = "application/json"
            let response = try await client.execute(uri: "/webhooks/hub", method: .post, headers: headers, body: ByteBuffer(string: body))
            return (response.status, String(buffer: response.body))
        }
        try await harness.application().test(.live) { client in
            let broken = try await post("[\(event(1)),{\"subscriptionType\":\"contact.creation\"}]", client)
            #expect(broken.0 == .badRequest)
            #expect(try await harness.storedEvents().isEmpty, "the good element of a refused batch is not stored")

            let first = try await post("[\(event(1)),\(event(2))]", client)
            #expect(first.0 == .ok)
            #expect(first.1.contains(#""stored":"2""#), "\(first.1)")
            let again = try await post("[\(event(1)),\(event(2))]", client)
            #expect(again.1.contains(#""status":"duplicate""#) && again.1.contains(#""stored":"0""#), "\(again.1)")
            let overlap = try await post("[\(event(2)),\(event(3))]", client)
            #expect(overlap.1.contains(#""stored":"1""#), "\(overlap.1)")
        }
        #expect(try await harness.storedEvents().map(\.id).sorted() == ["1", "2", "3"])
    }
}
