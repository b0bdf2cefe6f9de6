import Crypto
import Foundation
import HTTPTypes
import Testing

@testable import HookSyncCore

/// Public keys as providers publish them, and signatures as they write them: each form reads
/// to the same key, and a signature verifies only with its own key.
@Suite struct PublicKeySignatureTests {
    static func request(_ headers: [String: String], body: String) -> WebhookRequest {
        var fields = HTTPFields()
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        return WebhookRequest(headers: fields, body: Array(body.utf8))
    }

    @Test func ed25519KeysReadAsHexBase64OrPEM() throws {
        let key = Curve25519.Signing.PrivateKey()
        let raw = key.publicKey.rawRepresentation
        let spki = Data([0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]) + raw
        let pem = "-----BEGIN PUBLIC KEY-----\n\(spki.base64EncodedString())\n-----END PUBLIC KEY-----\n"
        let scheme = PublicKeySignature(
            algorithm: .ed25519,
            location: .header(HTTPField.Name("X-Signature-Ed25519")!),
            encoding: .hex,
            signed: try #require(SignedTemplate("{timestamp}{body}")),
            timestamp: .header(HTTPField.Name("X-Signature-Timestamp")!)
        )
        let body = #"{"type":1}"#
        let signature = try key.signature(for: Array("1763800000\(body)".utf8))
        let signed = Self.request(["X-Signature-Ed25519": HexEncoding.encode(Array(signature)), "X-Signature-Timestamp": "1763800000"], body: body)
        let other = Curve25519.Signing.PrivateKey().publicKey.rawRepresentation
        for published in [HexEncoding.encode(Array(raw)), raw.base64EncodedString(), pem] {
            #expect(
                try scheme.verify(signed, secrets: [Secret(HexEncoding.encode(Array(other))), Secret(published)], now: Date()) == 1,
                "\(published)"
            )
        }
        #expect(throws: SignatureFailure.mismatch) { try scheme.verify(signed, secrets: [Secret(other.base64EncodedString())], now: Date()) }
        #expect(throws: SecretFormatError.self) { try scheme.validate(secret: Secret("03a107")) }
    }

    @Test func p256KeysReadAsBase64DEROrPEMAndSignaturesAsDEROrRaw() throws {
        let key = P256.Signing.PrivateKey()
        let scheme = PublicKeySignature(
            algorithm: .ecdsaP256,
            location: .header(HTTPField.Name("X-Twilio-Email-Event-Webhook-Signature")!),
            encoding: .base64,
            signed: try #require(SignedTemplate("{timestamp}{body}")),
            timestamp: .header(HTTPField.Name("X-Twilio-Email-Event-Webhook-Timestamp")!)
        )
        let body = "[{\"sg_event_id\":\"a\"}]\r\n"
        let signature = try key.signature(for: Array("1763800000\(body)".utf8))
        for encoded in [signature.derRepresentation, signature.rawRepresentation] {
            let signed = Self.request(
                ["X-Twilio-Email-Event-Webhook-Signature": encoded.base64EncodedString(), "X-Twilio-Email-Event-Webhook-Timestamp": "1763800000"],
                body: body
            )
            for published in [key.publicKey.derRepresentation.base64EncodedString(), key.publicKey.pemRepresentation] {
                #expect(try scheme.verify(signed, secrets: [Secret(published)], now: Date()) == 0)
            }
            let stranger = P256.Signing.PrivateKey().publicKey.derRepresentation.base64EncodedString()
            #expect(throws: SignatureFailure.mismatch) { try scheme.verify(signed, secrets: [Secret(stranger)], now: Date()) }
        }
    }

    /// The cache behind certificates and tokens: one fetch per key while fresh, a new one when
    /// stale, and the oldest dropped past its capacity.
    @Test func fetchCacheKeepsWhatIsFreshAndDropsTheOldest() async throws {
        let cache = FetchCache<String, Int>(capacity: 2)
        let fetches = Counter()
        func value(_ key: String, fresh: Bool = true) async throws -> Int {
            try await cache.value(for: key, isFresh: { _ in fresh }) { await fetches.next() }
        }
        #expect(try await value("a") == 1)
        #expect(try await value("a") == 1, "kept")
        #expect(try await value("a", fresh: false) == 2, "fetched again when stale")
        #expect(try await value("b") == 3)
        #expect(try await value("c") == 4)
        #expect(try await value("b") == 3, "b stays")
        #expect(try await value("a") == 5, "a, the oldest, was dropped for c")
        await cache.remove("a") { $0 == 99 }
        #expect(try await value("a") == 5, "removed only when it matches")
        await cache.remove("a") { $0 == 5 }
        #expect(try await value("a") == 6)
    }

    actor Counter {
        var count = 0
        func next() -> Int {
            count += 1
            return count
        }
    }
}
