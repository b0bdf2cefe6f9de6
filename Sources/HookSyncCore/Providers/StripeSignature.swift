import Crypto
public import Foundation
public import HTTPTypes

/// Stripe's `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]` scheme.
///
/// HMAC-SHA256 over `"{t}.{raw body}"`, keyed by the whole `whsec_…` string as UTF-8 (Stripe
/// does not base64-decode it). Any `v1` may match, which is how Stripe rolls secrets; other
/// schemes (`v0`) are ignored. Only old timestamps are refused: stripe-python accepts future ones.
public struct StripeSignature: SignatureScheme {
    public var header: HTTPField.Name
    public var window: TimestampWindow

    public init(header: HTTPField.Name = .validated("Stripe-Signature"), tolerance: Duration = .seconds(300)) {
        self.header = header
        self.window = TimestampWindow(tolerance: tolerance, acceptsFuture: true)
    }

    public var name: String { "stripe" }
    public var summary: String { "\(header.rawName): t=<unix>,v1=<hex hmac-sha256> over \"{t}.{body}\"" }
    public var tolerance: Duration? { window.tolerance }

    public func with(tolerance: Duration) -> StripeSignature {
        StripeSignature(header: header, tolerance: tolerance)
    }

    public func verify(_ request: WebhookRequest, secrets: [Secret], now: Date) throws(SignatureFailure) -> Int {
        let name = header.rawName
        guard let value = request.headers[header] else { throw .missingHeader(name) }
        var timestamp: Int?
        var signatures: [[UInt8]] = []
        // Split as bytes: the header is ASCII, and splitting Characters cost more than the HMAC.
        for item in value.utf8.split(separator: UInt8(ascii: ",")) {
            guard let equals = item.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let key = item[..<equals]
            let field = Substring(item[item.index(after: equals)...])
            if key.elementsEqual("t".utf8) {
                timestamp = Int(field)
            } else if key.elementsEqual("v1".utf8), let bytes = HexEncoding.decode(field) {
                signatures.append(bytes)
            }
        }
        guard let timestamp else { throw .malformedHeader(name, reason: "no t=<timestamp> item") }
        guard !signatures.isEmpty else { throw .malformedHeader(name, reason: "no v1 signature") }

        let prefix = Array("\(timestamp).".utf8)
        guard
            let index = secrets.firstIndex(where: { secret in
                var hmac = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.value.utf8)))
                hmac.update(data: prefix)
                hmac.update(data: request.body)
                let code = hmac.finalize()
                // `==` against bytes is swift-crypto's constant-time comparison.
                return signatures.contains { code == $0 }
            })
        else { throw .mismatch }
        try window.check(Date(timeIntervalSince1970: TimeInterval(timestamp)), now: now)
        return index
    }

    public func sign(_ request: WebhookRequest, secret: Secret, id: String, timestamp: Date) -> HTTPFields {
        let t = Int(timestamp.timeIntervalSince1970)
        let code = HMAC<SHA256>.authenticationCode(
            for: Array("\(t).".utf8) + request.body,
            using: SymmetricKey(data: Array(secret.value.utf8))
        )
        var headers = HTTPFields()
        headers[header] = "t=\(t),v1=\(HexEncoding.encode(Array(code)))"
        return headers
    }

    public func validate(secret: Secret) throws(SecretFormatError) {
        guard !secret.value.isEmpty else { throw SecretFormatError(reason: "the secret is empty") }
    }
}

extension StripeSignature {
    init?(reading table: TOMLReader) {
        table.rejectUnknownKeys(["scheme", "header", "tolerance"])
        guard let header = table.contains("header") ? table.headerName("header") : .validated("Stripe-Signature") else { return nil }
        self.init(header: header, tolerance: table.duration("tolerance") ?? .seconds(300))
    }
}
