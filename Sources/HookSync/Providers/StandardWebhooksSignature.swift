import Crypto
import Foundation
import HTTPTypes

/// The Standard Webhooks scheme (also Svix's): `webhook-id`, `webhook-timestamp` and a
/// space-separated `webhook-signature` list of `v1,<base64>` entries.
///
/// HMAC-SHA256 over `"{id}.{timestamp}.{raw body}"`, keyed by the base64-decoded part of the
/// secret after `whsec_`. The timestamp must be within the tolerance in both directions.
/// Entries of other versions (`v1a`) are skipped here.
public struct StandardWebhooksSignature: SignatureScheme {
    /// Header name prefixes tried in order: `["svix", "webhook"]` accepts both spellings.
    public var headerPrefixes: [String]
    public var tolerance: Duration

    public init(headerPrefixes: [String] = ["webhook"], tolerance: Duration = .seconds(300)) {
        self.headerPrefixes = headerPrefixes
        self.tolerance = tolerance
    }

    public func verify(_ request: WebhookRequest, secrets: [Secret], now: Date) throws(SignatureFailure) {
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
        let signatures: [[UInt8]] = signatureList.split(separator: " ").compactMap { entry in
            let parts = entry.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1", let data = Data(base64Encoded: String(parts[1])) else { return nil }
            return Array(data)
        }
        guard !signatures.isEmpty else {
            throw .malformedHeader("\(prefix)-signature", reason: "no v1,<base64> entry")
        }
        let message = Array("\(id).\(timestamp).".utf8) + request.body
        let matched = secrets.contains { secret in
            guard let key = try? Self.key(for: secret) else { return false }
            return signatures.contains { HMAC<SHA256>.isValidAuthenticationCode($0, authenticating: message, using: key) }
        }
        guard matched else { throw .mismatch }
        let age = Int(now.timeIntervalSince1970) - timestamp
        let limit = Int(tolerance.seconds)
        if age > limit { throw .stale(seconds: age) }
        if -age > limit { throw .future(seconds: -age) }
    }

    public func sign(body: [UInt8], secret: Secret, id: String, timestamp: Date) throws(SecretFormatError) -> HTTPFields {
        let t = Int(timestamp.timeIntervalSince1970)
        let code = HMAC<SHA256>.authenticationCode(for: Array("\(id).\(t).".utf8) + body, using: try Self.key(for: secret))
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

    /// The HMAC key: the secret without `whsec_`, base64-decoded, as the reference libraries do.
    static func key(for secret: Secret) throws(SecretFormatError) -> SymmetricKey {
        var text = Substring(secret.value)
        if text.hasPrefix("whsec_") { text = text.dropFirst("whsec_".count) }
        guard let data = Data(base64Encoded: String(text)), !data.isEmpty else {
            throw SecretFormatError(reason: "a Standard Webhooks secret is \"whsec_\" followed by base64; this one does not decode")
        }
        return SymmetricKey(data: data)
    }

    private func name(_ prefix: String, _ suffix: String) -> HTTPField.Name {
        // Prefixes are validated when the provider file is read, so this cannot fail.
        HTTPField.Name("\(prefix)-\(suffix)") ?? .contentType
    }
}
