import Crypto
import Foundation
import HTTPTypes

/// Stripe's `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]` scheme.
///
/// HMAC-SHA256 over `"{t}.{raw body}"`, keyed by the whole `whsec_…` string as UTF-8 (Stripe
/// does not base64-decode it). Any `v1` may match, which is how Stripe rolls secrets; other
/// schemes (`v0`) are ignored. Only old timestamps are refused: stripe-python accepts future ones.
public struct StripeSignature: SignatureScheme {
    public var header: HTTPField.Name
    public var tolerance: Duration

    public init(header: HTTPField.Name = HTTPField.Name("Stripe-Signature")!, tolerance: Duration = .seconds(300)) {
        self.header = header
        self.tolerance = tolerance
    }

    public func verify(_ request: WebhookRequest, secrets: [Secret], now: Date) throws(SignatureFailure) {
        let name = header.canonicalName
        guard let value = request.headers[header] else { throw .missingHeader(name) }
        var timestamp: Int?
        var signatures: [[UInt8]] = []
        for item in value.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            switch pair[0] {
            case "t": timestamp = Int(pair[1])
            case "v1": if let bytes = HexEncoding.decode(pair[1]) { signatures.append(bytes) }
            default: continue
            }
        }
        guard let timestamp else { throw .malformedHeader(name, reason: "no t=<timestamp> item") }
        guard !signatures.isEmpty else { throw .malformedHeader(name, reason: "no v1 signature") }

        let message = Array("\(timestamp).".utf8) + request.body
        let matched = secrets.contains { secret in
            let key = SymmetricKey(data: Array(secret.value.utf8))
            return signatures.contains { HMAC<SHA256>.isValidAuthenticationCode($0, authenticating: message, using: key) }
        }
        guard matched else { throw .mismatch }
        let age = Int(now.timeIntervalSince1970) - timestamp
        if tolerance > .zero && age > Int(tolerance.seconds) { throw .stale(seconds: age) }
    }

    public func sign(body: [UInt8], secret: Secret, id: String, timestamp: Date) -> HTTPFields {
        let t = Int(timestamp.timeIntervalSince1970)
        let code = HMAC<SHA256>.authenticationCode(
            for: Array("\(t).".utf8) + body,
            using: SymmetricKey(data: Array(secret.value.utf8))
        )
        var headers = HTTPFields()
        headers[header] = "t=\(t),v1=\(HexEncoding.encode(Array(code)))"
        return headers
    }

    public func validate(secret: Secret) {}
}
