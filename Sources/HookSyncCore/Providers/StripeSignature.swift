import Crypto
public import Foundation
public import HTTPTypes

/// Stripe's `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]` scheme, and others built the same
/// way: Paddle's `Paddle-Signature: ts=<unix>;h1=<hex>` over `"{ts}:{body}"`.
///
/// HMAC-SHA256 over the signed text, keyed by the whole secret string as UTF-8 (Stripe does not
/// base64-decode `whsec_…`). Any signature item may match, which is how both roll secrets; other
/// items (Stripe's `v0`) are ignored. Only old timestamps are refused: stripe-python accepts future ones.
public struct StripeSignature: SignatureScheme {
    public var header: HTTPField.Name
    public var window: TimestampWindow
    /// Between items: `,` for Stripe, `;` for Paddle.
    public var separator: UInt8
    public var timestampKey: String
    public var signatureKey: String
    /// What goes between the timestamp and the body in the signed text: `.` for Stripe, `:` for Paddle.
    public var joiner: String

    public init(
        header: HTTPField.Name = .validated("Stripe-Signature"),
        tolerance: Duration = .seconds(300),
        separator: UInt8 = UInt8(ascii: ","),
        timestampKey: String = "t",
        signatureKey: String = "v1",
        joiner: String = "."
    ) {
        self.header = header
        self.window = TimestampWindow(tolerance: tolerance, acceptsFuture: true)
        self.separator = separator
        self.timestampKey = timestampKey
        self.signatureKey = signatureKey
        self.joiner = joiner
    }

    public var name: String { "stripe" }

    public var summary: String {
        let items = "\(timestampKey)=<unix>\(Character(UnicodeScalar(separator)))\(signatureKey)=<hex hmac-sha256>"
        return "\(header.rawName): \(items) over \"{\(timestampKey)}\(joiner){body}\""
    }

    public var tolerance: Duration? { window.tolerance }

    public func with(tolerance: Duration) -> StripeSignature {
        var copy = self
        copy.window.tolerance = tolerance
        return copy
    }

    public func verify(_ request: WebhookRequest, secrets: [Secret], now: Date) throws(SignatureFailure) -> Int {
        let name = header.rawName
        guard let value = request.headers[header] else { throw .missingHeader(name) }
        var timestamp: Int?
        var signatures: [[UInt8]] = []
        // Split as bytes: the header is ASCII, and splitting Characters cost more than the HMAC.
        for item in value.utf8.split(separator: separator) {
            guard let equals = item.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let key = item[..<equals].drop { $0 == UInt8(ascii: " ") }
            let field = Substring(item[item.index(after: equals)...])
            if key.elementsEqual(timestampKey.utf8) {
                timestamp = Int(field)
            } else if key.elementsEqual(signatureKey.utf8), let bytes = HexEncoding.decode(field) {
                signatures.append(bytes)
            }
        }
        guard let timestamp else { throw .malformedHeader(name, reason: "no \(timestampKey)=<timestamp> item") }
        guard !signatures.isEmpty else { throw .malformedHeader(name, reason: "no \(signatureKey) signature") }
        let prefix = Array("\(timestamp)\(joiner)".utf8)
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
        let t = String(Int(timestamp.timeIntervalSince1970))
        let code = HMAC<SHA256>.authenticationCode(
            for: Array("\(t)\(joiner)".utf8) + request.body,
            using: SymmetricKey(data: Array(secret.value.utf8))
        )
        var headers = HTTPFields()
        headers[header] = "\(timestampKey)=\(t)\(Character(UnicodeScalar(separator)))\(signatureKey)=\(HexEncoding.encode(Array(code)))"
        return headers
    }

    public func validate(secret: Secret) throws(SecretFormatError) {
        guard !secret.value.isEmpty else { throw SecretFormatError(reason: "the secret is empty") }
    }
}

extension StripeSignature {
    init?(reading table: TOMLReader) {
        table.rejectUnknownKeys(["scheme", "header", "tolerance", "separator", "timestamp_key", "signature_key", "signed"])
        let header = table.contains("header") ? table.headerName("header") : .validated("Stripe-Signature")
        var separator = UInt8(ascii: ",")
        if let text = table.string("separator") {
            if text.utf8.count == 1, let byte = text.utf8.first, byte != UInt8(ascii: "=") {
                separator = byte
            } else {
                table.report("separator", value: "\"\(text)\"", expected: "one ASCII character other than =, such as \",\" or \";\"")
            }
        }
        var joiner = "."
        if let text = table.string("signed") {
            if text.hasPrefix("{timestamp}") && text.hasSuffix("{body}") && text.count > "{timestamp}{body}".count {
                joiner = String(text.dropFirst("{timestamp}".count).dropLast("{body}".count))
            } else {
                table.report(
                    "signed",
                    value: "\"\(text)\"",
                    expected: "\"{timestamp}\", literal text, then \"{body}\", such as \"{timestamp}:{body}\""
                )
            }
        }
        guard let header else { return nil }
        self.init(
            header: header,
            tolerance: table.duration("tolerance") ?? .seconds(300),
            separator: separator,
            timestampKey: table.string("timestamp_key") ?? "t",
            signatureKey: table.string("signature_key") ?? "v1",
            joiner: joiner
        )
    }
}
