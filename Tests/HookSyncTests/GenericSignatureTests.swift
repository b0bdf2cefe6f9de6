import Crypto
import Foundation
import HTTPTypes
import Testing

@testable import HookSync
@testable import HookSyncCore

/// The generic `hmac` scheme as an in-house platform would use it, and Twilio's details that
/// the docs vector does not reach. Expected values were computed independently with Python's
/// `hmac` module.
@Suite struct GenericSignatureTests {
    static let acmeFile = """
        name = "acme"
        title = "Acme Widgets"
        [signature]
        scheme = "hmac"
        header = "X-Acme-Signature"
        algorithm = "sha512"
        encoding = "base64"
        prefix = "sha512="
        signed = "{timestamp}.{body}"
        timestamp_header = "X-Acme-Timestamp"
        tolerance = "2m"
        secret_encoding = "hex"
        secret_prefix = "acme_"
        [event]
        id = "/event/id"
        type = "/event/kind"
        """
    static let body = #"{"event":{"id":"ac_1","kind":"widget.made"}}"#
    static let signature = "sha512=/CtPxa2WZ9zbADQHI/GilGNW4aRAFLKLzHYp+FbJTk5ZdGXdctpUgStynTbzvSO2RtP6/i9KvX+NwCUctPSNVg=="
    static let secret = Secret("acme_00112233445566778899aabbccddeeff")
    static let at = Date(timeIntervalSince1970: 1_700_000_000)

    func request(signature: String? = Self.signature, timestamp: String? = "1700000000") -> WebhookRequest {
        var headers = HTTPFields()
        if let signature { headers[HTTPField.Name("X-Acme-Signature")!] = signature }
        if let timestamp { headers[HTTPField.Name("X-Acme-Timestamp")!] = timestamp }
        return WebhookRequest(headers: headers, body: Array(Self.body.utf8))
    }

    @Test func inHouseProviderFileVerifiesAndSigns() throws {
        let acme = try ProviderDefinition.parse(Self.acmeFile, file: "acme.toml", origin: "test")
        #expect(try acme.scheme.verify(request(), secrets: [Secret("acme_ffff"), Self.secret], now: Self.at) == 1)
        let signed = try acme.scheme.sign(request(signature: nil, timestamp: nil), secret: Self.secret, id: "", timestamp: Self.at)
        #expect(signed[HTTPField.Name("X-Acme-Signature")!] == Self.signature)
        #expect(signed[HTTPField.Name("X-Acme-Timestamp")!] == "1700000000")
        let fields = try acme.event.fields(headers: [:], body: Array(Self.body.utf8))
        #expect(fields == EventFields(id: "ac_1", type: "widget.made", dedupKey: "ac_1"))
    }

    @Test func inHouseProviderRefusalsSayWhy() throws {
        let scheme = try ProviderDefinition.parse(Self.acmeFile, file: "acme.toml", origin: "test").scheme
        let secrets = [Self.secret]
        #expect(throws: SignatureFailure.missingHeader("X-Acme-Signature")) {
            try scheme.verify(request(signature: nil), secrets: secrets, now: Self.at)
        }
        #expect(throws: SignatureFailure.missingHeader("X-Acme-Timestamp")) {
            try scheme.verify(request(timestamp: nil), secrets: secrets, now: Self.at)
        }
        #expect(throws: SignatureFailure.malformedHeader("X-Acme-Signature", reason: "expected \"sha512=\" followed by the signature")) {
            try scheme.verify(request(signature: "sha256=abc"), secrets: secrets, now: Self.at)
        }
        #expect(throws: SignatureFailure.malformedHeader("X-Acme-Signature", reason: "expected a base64 HMAC-SHA512 of 64 bytes")) {
            try scheme.verify(request(signature: "sha512=AAAA"), secrets: secrets, now: Self.at)
        }
        #expect(throws: SignatureFailure.mismatch) {
            try scheme.verify(request(timestamp: "1700000001"), secrets: secrets, now: Self.at)
        }
        #expect(throws: SignatureFailure.stale(seconds: 121)) { try scheme.verify(request(), secrets: secrets, now: Self.at + 121) }
        #expect(throws: SignatureFailure.future(seconds: 121)) { try scheme.verify(request(), secrets: secrets, now: Self.at - 121) }
        #expect(throws: SecretFormatError.self) { try scheme.validate(secret: Secret("acme_not-hex")) }
    }

    @Test func twilioChecksTheBodyHashAndTheSettingsAlgorithm() throws {
        let twilio = TwilioSignature()
        let body = #"{"a":1}"#
        let hash = HexEncoding.encode(Array(SHA256.hash(data: Array(body.utf8))))
        let url = "https://a.example/t?bodySHA256=\(hash)"
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        var request = WebhookRequest(headers: headers, body: Array(body.utf8), url: url)
        request.headers.append(contentsOf: try twilio.sign(request, secret: Secret("token"), id: "", timestamp: Self.at))
        #expect(try twilio.verify(request, secrets: [Secret("token")], now: Self.at) == 0)
        var tampered = request
        tampered.body = Array(#"{"a":2}"#.utf8)
        #expect(throws: SignatureFailure.mismatch) { try twilio.verify(tampered, secrets: [Secret("token")], now: Self.at) }

        // SharedKey signing with HMAC-SHA256, announced by the settings header.
        var shared = WebhookRequest(headers: [:], body: [], url: "https://a.example/t?x=1")
        shared.headers[HTTPField.Name("X-Twilio-Webhooks-Signature-Settings")!] = "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256"
        shared.headers[HTTPField.Name("X-Twilio-Signature")!] =
            Data(HexEncoding.decode("7de9db77de0aae33ac1326a79373f2a7dbc3514d120bd1a17fc07c795cc0640f")!).base64EncodedString()
        #expect(try twilio.verify(shared, secrets: [Secret("token")], now: Self.at) == 0)
        shared.headers[HTTPField.Name("X-Twilio-Webhooks-Signature-Settings")!] = "algorithm=HMAC_MD5"
        #expect(throws: SignatureFailure.malformedHeader("X-Twilio-Webhooks-Signature-Settings", reason: "unsupported algorithm HMAC_MD5")) {
            try twilio.verify(shared, secrets: [Secret("token")], now: Self.at)
        }
    }

    @Test func twilioTriesTheURLWithAndWithoutItsPort() {
        #expect(TwilioSignature.urlVariants("https://a.example/t?x=1") == ["https://a.example/t?x=1", "https://a.example:443/t?x=1"])
        #expect(TwilioSignature.urlVariants("http://a.example:8080/t") == ["http://a.example/t", "http://a.example:8080/t"])
    }

    @Test func capturedHeadersParseFromACaptureOrJSON() throws {
        let capture = try CapturedRequest(
            headersFile: "POST /webhooks/sq?foo=1&bar=2 HTTP/1.1\r\nHost: example.com\r\nX-Test:  spaced value \r\n\r\n{\"ignored\":true}"
        )
        #expect(capture.query == "foo=1&bar=2")
        #expect(capture.headers[HTTPField.Name("x-test")!] == "spaced value")
        #expect(capture.headers[HTTPField.Name("Host")!] == "example.com")
        let json = try CapturedRequest(headersFile: #"{"Stripe-Signature": "t=1,v1=ab"}"#)
        #expect(json.headers[HTTPField.Name("stripe-signature")!] == "t=1,v1=ab")
        #expect(throws: CapturedRequestError.self) { try CapturedRequest(headersFile: "no colon here") }
        #expect(throws: CapturedRequestError.self) { try CapturedRequest(headersFile: "\n\n") }
    }
}
