import Foundation
public import HTTPTypes
import TOMLKit

/// Everything hooksync knows about one platform, read from `providers/<name>.toml`.
///
/// Provider knowledge is data so that supporting a new platform is a file, not a fork: the
/// signature scheme and its parameters, how to read the event id, type, time and dedup key,
/// which headers to keep with the event, the provider's delivery facts and event API, and a
/// sample event for `hooksync send-test`. `providers/README.md` documents every key.
public struct ProviderDefinition: Sendable {
    public var name: String
    public var title: String
    /// Where the definition came from: a file path, or `built-in`.
    public var origin: String
    public var scheme: any SignatureScheme
    public var contentTypes: [String]
    /// Request headers stored with the event (lowercased), beyond `content-type`.
    public var keepHeaders: [HTTPField.Name]
    public var event: EventMapping
    public var challenge: ProviderChallenge?
    public var delivery: ProviderDeliveryFacts
    public var api: ProviderEventAPI?
    public var sample: ProviderSample?

    /// The scheme configured with a source's tolerance, if it sets one.
    public func signatureScheme(tolerance override: Duration? = nil) -> any SignatureScheme {
        guard let override else { return scheme }
        return scheme.with(tolerance: override)
    }

    /// The source keys a source of this provider needs, as `hooksync providers` lists them:
    /// what verifies its webhooks, what its signature or handshake covers, what polls its API.
    public var sourceKeys: [String] {
        var keys = scheme.keyKind == .certificate ? [] : [scheme.keyKind.rawValue]
        if scheme.signsWebhookID { keys.append("webhook_id") }
        if scheme.signsURL { keys.append("webhook_url") }
        if challenge?.verifyToken != nil { keys.append("verify_token") }
        if let api { keys += api.generic?.usesOAuth == true ? ["client_id (to poll)", "client_secret (to poll)"] : ["api_key (to poll)"] }
        return keys
    }

    /// Whether a request's `Content-Type` is one this provider sends (parameters ignored).
    public func accepts(contentType: String?) -> Bool {
        guard let essence = MediaType.essence(of: contentType) else { return true }
        return contentTypes.contains(essence)
    }

    /// The headers to store with an event: `content-type` and the provider's `keep_headers`.
    public func keptHeaders(from headers: HTTPFields) -> [String: String] {
        var kept: [String: String] = [:]
        if let value = headers[.contentType] { kept[HTTPField.Name.contentType.canonicalName] = value }
        for name in keepHeaders {
            if let value = headers[name] { kept[name.canonicalName] = value }
        }
        return kept
    }

    static let schemes = ["stripe", "standard-webhooks", "hmac", "twilio", "token", "ed25519", "ecdsa-p256-sha256", "certificate", "braintree"]

    /// Reads a provider file's text; every problem is reported with the file and key.
    public static func parse(_ text: String, file: String, origin: String) throws(ConfigError) -> ProviderDefinition {
        let root = TOMLReader(table: try TOMLTable.parse(text, file: file), collector: ConfigIssueCollector(file: file))
        root.rejectUnknownKeys(["name", "title", "content_types", "keep_headers", "signature", "event", "challenge", "delivery", "api", "sample"])
        let name = root.string("name", required: true)
        if let name, name.isEmpty || name.contains(where: { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            root.report("name", value: "\"\(name)\"", expected: "letters, digits, - and _ only")
        }
        let title = root.string("title") ?? name ?? ""
        let contentTypes = (root.strings("content_types") ?? ["application/json"]).map { $0.lowercased() }
        var keepHeaders: [HTTPField.Name] = []
        for header in root.strings("keep_headers") ?? [] {
            if let fieldName = HTTPField.Name(header) {
                keepHeaders.append(fieldName)
            } else {
                root.report("keep_headers", value: "\"\(header)\"", expected: "an HTTP header name")
            }
        }

        var scheme: (any SignatureScheme)?
        if let signature = root.table("signature") {
            switch signature.string("scheme", required: true) {
            case "stripe": scheme = StripeSignature(reading: signature)
            case "standard-webhooks": scheme = StandardWebhooksSignature(reading: signature)
            case "hmac": scheme = HMACSignature(reading: signature)
            case "twilio": scheme = TwilioSignature(reading: signature)
            case "token": scheme = TokenSignature(reading: signature)
            case "certificate": scheme = CertificateSignature(reading: signature)
            case "braintree": scheme = BraintreeSignature(reading: signature)
            case let name? where PublicKeySignature.Algorithm(rawValue: name) != nil:
                scheme = PublicKeySignature.Algorithm(rawValue: name).flatMap { PublicKeySignature(reading: signature, algorithm: $0) }
            case let other?:
                signature.report("scheme", value: "\"\(other)\"", expected: "one of " + schemes.map { "\"\($0)\"" }.joined(separator: ", "))
            case nil: break
            }
        } else {
            root.report("signature", value: nil, expected: "a [signature] table (the key is required)")
        }

        var event: EventMapping?
        if let table = root.table("event") {
            event = EventMapping(reading: table)
        } else {
            root.report("event", value: nil, expected: "an [event] table with id and type (the key is required)")
        }
        if let formPayload = event?.formPayload, formPayload.isEmpty {
            root.report("event.form_payload", value: "\"\"", expected: "a form parameter name")
        }
        let challenge = root.table("challenge").flatMap(ProviderChallenge.init(reading:))
        let delivery = root.table("delivery").map(ProviderDeliveryFacts.init(reading:)) ?? ProviderDeliveryFacts()
        let api = root.table("api").flatMap(ProviderEventAPI.init(reading:))
        let sample = root.table("sample").flatMap(ProviderSample.init(reading:))

        guard root.collector.issues.isEmpty, let name, let scheme, let event else {
            throw ConfigError(issues: root.collector.issues)
        }
        return ProviderDefinition(
            name: name,
            title: title,
            origin: origin,
            scheme: scheme,
            contentTypes: contentTypes,
            keepHeaders: keepHeaders,
            event: event,
            challenge: challenge,
            delivery: delivery,
            api: api,
            sample: sample
        )
    }
}
