import Crypto
public import Foundation
public import HTTPTypes

/// The Standard Webhooks scheme (also Svix's): `webhook-id`, `webhook-timestamp` and a
/// space-separated `webhook-signature` list of `v1,<base64>` and `v1a,<base64>` entries.
///
/// `v1` is HMAC-SHA256 over `"{id}.{timestamp}.{raw body}"`, keyed by the base64-decoded part
/// of a `whsec_` secret. `v1a` is an ed25519 signature of the same text, checked with a `whpk_`
/// public key. A request verifies if any entry matches any configured key, which is how
/// senders rotate keys. The timestamp must be within the tolerance in both directions.
public struct StandardWebhooksSignature: SignatureScheme {
    /// Header name prefixes tried in order: `["svix", "webhook"]` accepts both spellings.
    public var headerPrefixes: [String]
    public var window: TimestampWindow

    public init(headerPrefixes: [String] = ["webhook"], tolerance: Duration = .seconds(300)) {
        self.headerPrefixes = headerPrefixes
        self.window = TimestampWindow(tolerance: tolerance)
    }

    public var name: String { "standard-webhooks" }
    public var tolerance: Duration? { window.tolerance }
    public var summary: String {
        let prefixes = headerPrefixes.joined(separator: "|")
        return "\(prefixes)-signature: v1,<base64 hmac-sha256> or v1a,<base64 ed25519> over \"{id}.{timestamp}.{body}\""
    }

    public func with(tolerance: Duration) -> StandardWebhooksSignature {
        StandardWebhooksSignature(headerPrefixes: headerPrefixes, tolerance: tolerance)
    }

    /// A configured key: a `whsec_` shared secret, or a `whpk_` ed25519 public key.
    enum Key {
        case symmetric(SymmetricKey)
        case publicKey(Curve25519.Signing.PublicKey)
    }

    public func verify(_ request: WebhookRequest, secrets: [Secret], now: Date) throws(SignatureFailure) -> Int {
        let prefix = headerPrefixes.first { request.headers[name($0, "id")] != nil } ?? headerPrefixes[0]
        func header(_ suffix: String) throws(SignatureFailure) -> String {
            guard let value = request.headers[name(prefix, suffix)] else { throw .missingHeader("\(prefix)-\(suffix)") }
            return value
        }
        let id = try header("id")
        let timestampText = try header("timestamp")
        let signatureList = try header("signature")
        guard let timestamp = Int(timestampText) else {
            throw .malformedHeader("\(prefix)-timestamp", reason: "not a whole number of seconds")
        }
        var symmetric: [[UInt8]] = []
        var asymmetric: [[UInt8]] = []
        for entry in signatureList.split(separator: " ") {
            let parts = entry.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, let data = Data(base64Encoded: String(parts[1])) else { continue }
            switch parts[0] {
            case "v1": symmetric.append(Array(data))
            case "v1a": asymmetric.append(Array(data))
            default: continue
            }
        }
        guard !symmetric.isEmpty || !asymmetric.isEmpty else {
            throw .malformedHeader("\(prefix)-signature", reason: "no v1,<base64> or v1a,<base64> entry")
        }
        let message = Array("\(id).\(timestamp).".utf8) + request.body
        guard
            let index = secrets.firstIndex(where: { secret in
                switch try? Self.key(for: secret) {
                case .symmetric(let key):
                    symmetric.contains { HMAC<SHA256>.isValidAuthenticationCode($0, authenticating: message, using: key) }
                case .publicKey(let key):
                    asymmetric.contains { key.isValidSignature($0, for: message) }
                case nil:
                    false
                }
            })
        else { throw .mismatch }
        try window.check(Date(timeIntervalSince1970: TimeInterval(timestamp)), now: now)
        return index
    }

    public func sign(_ request: WebhookRequest, secret: Secret, id: String, timestamp: Date) throws(SecretFormatError) -> HTTPFields {
        guard case .symmetric(let key) = try Self.key(for: secret) else {
            throw SecretFormatError(reason: "a whpk_ public key can verify but not sign; use the whsec_ secret to send test events")
        }
        let t = Int(timestamp.timeIntervalSince1970)
        let code = HMAC<SHA256>.authenticationCode(for: Array("\(id).\(t).".utf8) + request.body, using: key)
        let prefix = headerPrefixes.last ?? "webhook"
        var headers = HTTPFields()
        headers[name(prefix, "id")] = id
        headers[name(prefix, "timestamp")] = String(t)
        headers[name(prefix, "signature")] = "v1," + Data(code).base64EncodedString()
        return headers
    }

    public func validate(secret: Secret) throws(SecretFormatError) {
        _ = try Self.key(for: secret)
    }

    /// Decodes a secret as the reference libraries do: `whsec_` (optional) then base64 for
    /// HMAC keys; `whpk_` then base64 of the 32-byte ed25519 public key.
    static func key(for secret: Secret) throws(SecretFormatError) -> Key {
        if secret.value.hasPrefix("whpk_") {
            guard let data = Data(base64Encoded: String(secret.value.dropFirst("whpk_".count))),
                let key = try? Curve25519.Signing.PublicKey(rawRepresentation: data)
            else {
                throw SecretFormatError(reason: "a whpk_ key is \"whpk_\" followed by the base64 of a 32-byte ed25519 public key")
            }
            return .publicKey(key)
        }
        var text = Substring(secret.value)
        if text.hasPrefix("whsec_") { text = text.dropFirst("whsec_".count) }
        guard let data = Data(base64Encoded: String(text)), !data.isEmpty else {
            throw SecretFormatError(reason: "a Standard Webhooks secret is \"whsec_\" followed by base64; this one does not decode")
        }
        return .symmetric(SymmetricKey(data: data))
    }

    private func name(_ prefix: String, _ suffix: String) -> HTTPField.Name {
        // The file's reader refused every prefix that does not make a header name.
        guard let name = HTTPField.Name("\(prefix)-\(suffix)") else { preconditionFailure("\(prefix)-\(suffix) is not an HTTP header name") }
        return name
    }
}

extension StandardWebhooksSignature {
    init?(reading table: TOMLReader) {
        table.rejectUnknownKeys(["scheme", "header_prefixes", "tolerance"])
        let prefixes = table.strings("header_prefixes") ?? ["webhook"]
        if prefixes.isEmpty || prefixes.contains(where: { HTTPField.Name("\($0)-id") == nil }) {
            table.report("header_prefixes", value: nil, expected: "header name prefixes such as [\"svix\", \"webhook\"]")
            return nil
        }
        self.init(headerPrefixes: prefixes, tolerance: table.duration("tolerance") ?? .seconds(300))
    }
}
