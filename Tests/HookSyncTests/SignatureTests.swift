import Foundation
import HTTPTypes
import Testing

@testable import HookSync
@testable import HookSyncCore

@Suite struct StripeSignatureTests {
    let scheme = StripeSignature()
    let at = Date(timeIntervalSince1970: TimeInterval(Vectors.Stripe.timestamp))

    func request(header: String?, body: String = Vectors.Stripe.body) -> WebhookRequest {
        var headers = HTTPFields()
        if let header { headers[HTTPField.Name("Stripe-Signature")!] = header }
        return WebhookRequest(headers: headers, body: Array(body.utf8))
    }

    @Test func officialVectorVerifies() throws {
        try scheme.verify(request(header: Vectors.Stripe.header), secrets: [Secret(Vectors.Stripe.secret)], now: at)
    }

    @Test func signingReproducesTheOfficialHeader() throws {
        let headers = scheme.sign(
            WebhookRequest(headers: [:], body: Array(Vectors.Stripe.body.utf8)),
            secret: Secret(Vectors.Stripe.secret),
            id: "",
            timestamp: at
        )
        #expect(headers[HTTPField.Name("Stripe-Signature")!] == Vectors.Stripe.header)
    }

    @Test func rotationHeaderVerifiesWithEitherSecretAndIgnoresV0() throws {
        for secret in [Vectors.Stripe.secret, Vectors.Stripe.secretOld] {
            try scheme.verify(request(header: Vectors.Stripe.headerRotation), secrets: [Secret(secret)], now: at)
        }
    }

    @Test func anyConfiguredSecretMayMatch() throws {
        try scheme.verify(
            request(header: Vectors.Stripe.header),
            secrets: [Secret("whsec_other"), Secret(Vectors.Stripe.secret)],
            now: at
        )
    }

    @Test func toleranceRejectsOldButAcceptsFutureTimestamps() throws {
        let secrets = [Secret(Vectors.Stripe.secret)]
        try scheme.verify(request(header: Vectors.Stripe.header), secrets: secrets, now: at.addingTimeInterval(299))
        #expect(throws: SignatureFailure.stale(seconds: 301)) {
            try scheme.verify(request(header: Vectors.Stripe.header), secrets: secrets, now: at.addingTimeInterval(301))
        }
        try scheme.verify(request(header: Vectors.Stripe.header), secrets: secrets, now: at.addingTimeInterval(-86400))
    }

    @Test func mutationsAreRefused() throws {
        let secrets = [Secret(Vectors.Stripe.secret)]
        var tampered = Array(Vectors.Stripe.body.utf8)
        tampered[10] ^= 0x01
        #expect(throws: SignatureFailure.mismatch) {
            try scheme.verify(
                WebhookRequest(headers: request(header: Vectors.Stripe.header).headers, body: tampered),
                secrets: secrets,
                now: at
            )
        }
        #expect(throws: SignatureFailure.mismatch) {
            try scheme.verify(request(header: Vectors.Stripe.header), secrets: [Secret(Vectors.Stripe.secretOld)], now: at)
        }
        #expect(throws: SignatureFailure.missingHeader("Stripe-Signature")) {
            try scheme.verify(request(header: nil), secrets: secrets, now: at)
        }
        #expect(throws: SignatureFailure.malformedHeader("Stripe-Signature", reason: "no v1 signature")) {
            try scheme.verify(request(header: "t=1700000000,v0=abc"), secrets: secrets, now: at)
        }
        #expect(throws: SignatureFailure.malformedHeader("Stripe-Signature", reason: "no t=<timestamp> item")) {
            try scheme.verify(request(header: "v1=bc507fc2cd000e2060cbd4650c58ebb229c88821afcd44a9abb8b4edd686f9c3"), secrets: secrets, now: at)
        }
        // A changed timestamp invalidates the signature.
        #expect(throws: SignatureFailure.mismatch) {
            try scheme.verify(
                request(header: Vectors.Stripe.header.replacingOccurrences(of: "t=1700000000", with: "t=1700000001")),
                secrets: secrets,
                now: at
            )
        }
    }
}

@Suite struct StandardWebhooksSignatureTests {
    let scheme = StandardWebhooksSignature()

    func request(id: String, timestamp: Int, signature: String?, body: String, prefix: String = "webhook") -> WebhookRequest {
        var headers = HTTPFields()
        headers[HTTPField.Name("\(prefix)-id")!] = id
        headers[HTTPField.Name("\(prefix)-timestamp")!] = String(timestamp)
        if let signature { headers[HTTPField.Name("\(prefix)-signature")!] = signature }
        return WebhookRequest(headers: headers, body: Array(body.utf8))
    }

    var vector: WebhookRequest {
        request(
            id: Vectors.StandardWebhooks.id,
            timestamp: Vectors.StandardWebhooks.timestamp,
            signature: Vectors.StandardWebhooks.signature,
            body: Vectors.StandardWebhooks.body
        )
    }
    var at: Date { Date(timeIntervalSince1970: TimeInterval(Vectors.StandardWebhooks.timestamp)) }

    @Test func publishedDocsVectorVerifiesWithAndWithoutPrefix() throws {
        let docs = request(
            id: Vectors.StandardWebhooks.docID,
            timestamp: Vectors.StandardWebhooks.docTimestamp,
            signature: Vectors.StandardWebhooks.docSignature,
            body: Vectors.StandardWebhooks.docBody
        )
        let now = Date(timeIntervalSince1970: TimeInterval(Vectors.StandardWebhooks.docTimestamp))
        try scheme.verify(docs, secrets: [Secret(Vectors.StandardWebhooks.docSecret)], now: now)
        try scheme.verify(docs, secrets: [Secret(String(Vectors.StandardWebhooks.docSecret.dropFirst(6)))], now: now)
    }

    @Test func referenceVectorAndSigningAgree() throws {
        try scheme.verify(vector, secrets: [Secret(Vectors.StandardWebhooks.secret)], now: at)
        let headers = try scheme.sign(
            WebhookRequest(headers: [:], body: Array(Vectors.StandardWebhooks.body.utf8)),
            secret: Secret(Vectors.StandardWebhooks.secret),
            id: Vectors.StandardWebhooks.id,
            timestamp: at
        )
        #expect(headers[HTTPField.Name("webhook-signature")!] == Vectors.StandardWebhooks.signature)
    }

    @Test func rotationListVerifiesWithEitherSecretAndSkipsV1a() throws {
        var rotated = vector
        rotated.headers[HTTPField.Name("webhook-signature")!] = Vectors.StandardWebhooks.headerRotation
        for secret in [Vectors.StandardWebhooks.secret, Vectors.StandardWebhooks.secretOld] {
            try scheme.verify(rotated, secrets: [Secret(secret)], now: at)
        }
        var mixed = vector
        mixed.headers[HTTPField.Name("webhook-signature")!] = "\(Vectors.StandardWebhooks.v1a) \(Vectors.StandardWebhooks.signature)"
        try scheme.verify(mixed, secrets: [Secret(Vectors.StandardWebhooks.secret)], now: at)
    }

    @Test func svixHeaderNamesWorkWhenConfigured() throws {
        let svix = StandardWebhooksSignature(headerPrefixes: ["svix", "webhook"])
        let request = request(
            id: Vectors.StandardWebhooks.id,
            timestamp: Vectors.StandardWebhooks.timestamp,
            signature: Vectors.StandardWebhooks.signature,
            body: Vectors.StandardWebhooks.body,
            prefix: "svix"
        )
        try svix.verify(request, secrets: [Secret(Vectors.StandardWebhooks.secret)], now: at)
        try svix.verify(vector, secrets: [Secret(Vectors.StandardWebhooks.secret)], now: at)
    }

    @Test func toleranceAppliesBothWays() throws {
        let secrets = [Secret(Vectors.StandardWebhooks.secret)]
        try scheme.verify(vector, secrets: secrets, now: at.addingTimeInterval(300))
        try scheme.verify(vector, secrets: secrets, now: at.addingTimeInterval(-300))
        #expect(throws: SignatureFailure.stale(seconds: 301)) { try scheme.verify(vector, secrets: secrets, now: at.addingTimeInterval(301)) }
        #expect(throws: SignatureFailure.future(seconds: 301)) { try scheme.verify(vector, secrets: secrets, now: at.addingTimeInterval(-301)) }
    }

    @Test func mutationsAreRefused() throws {
        let secrets = [Secret(Vectors.StandardWebhooks.secret)]
        var body = vector
        body.body[5] ^= 0x01
        #expect(throws: SignatureFailure.mismatch) { try scheme.verify(body, secrets: secrets, now: at) }
        #expect(throws: SignatureFailure.mismatch) { try scheme.verify(vector, secrets: [Secret(Vectors.StandardWebhooks.secretOld)], now: at) }
        var otherID = vector
        otherID.headers[HTTPField.Name("webhook-id")!] = "msg_other"
        #expect(throws: SignatureFailure.mismatch) { try scheme.verify(otherID, secrets: secrets, now: at) }
        let unsigned = request(
            id: Vectors.StandardWebhooks.id,
            timestamp: Vectors.StandardWebhooks.timestamp,
            signature: nil,
            body: Vectors.StandardWebhooks.body
        )
        #expect(throws: SignatureFailure.missingHeader("webhook-signature")) { try scheme.verify(unsigned, secrets: secrets, now: at) }
        var onlyV1a = vector
        onlyV1a.headers[HTTPField.Name("webhook-signature")!] = Vectors.StandardWebhooks.v1a
        #expect(throws: SignatureFailure.mismatch, "a v1a entry needs a whpk_ key") { try scheme.verify(onlyV1a, secrets: secrets, now: at) }
        #expect(try scheme.verify(onlyV1a, secrets: secrets + [Secret(Vectors.StandardWebhooks.publicKey)], now: at) == 1)
        var garbage = vector
        garbage.headers[HTTPField.Name("webhook-signature")!] = "v2,abc"
        #expect(throws: SignatureFailure.malformedHeader("webhook-signature", reason: "no v1,<base64> or v1a,<base64> entry")) {
            try scheme.verify(garbage, secrets: secrets, now: at)
        }
    }

    @Test func secretMustBeBase64AfterPrefix() {
        #expect(throws: SecretFormatError.self) { try scheme.validate(secret: Secret("whsec_not base64!")) }
    }
}
