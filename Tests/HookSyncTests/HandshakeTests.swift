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
