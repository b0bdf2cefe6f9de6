import Crypto
public import Foundation
public import HTTPTypes

/// Braintree's webhook signature (developer.paypal.com/braintree/docs/guides/webhooks/parse),
/// as its SDKs check it (braintree_python webhook_notification_gateway.py).
///
/// The form's `bt_signature` holds `public_key|hex` pairs joined by `&`; the pair of the
/// source's public key must be the hex HMAC-SHA1 of `bt_payload`, exactly as sent (newlines
/// included), keyed by the SHA-1 of the private key. Braintree signs the payload with its
/// trailing newline, so one a proxy stripped is tried too, as the SDKs do. A source's
/// `webhook_secret` is `public_key:private_key`; several during a key rotation.
public struct BraintreeSignature: SignatureScheme {
    public init() {}

    public var name: String { "braintree" }
    public var summary: String { "bt_signature: public_key|<hex hmac-sha1> of bt_payload, keyed by sha1(private_key)" }

    public func verify(_ request: WebhookRequest, secrets: [Secret], now: Date) throws(SignatureFailure) -> Int {
        let form = FormEncoding.object(request.body)
        guard let signature = form["bt_signature"] as? String, !signature.isEmpty else { throw .missingHeader("body field bt_signature") }
        guard let payload = form["bt_payload"] as? String, !payload.isEmpty else { throw .missingHeader("body field bt_payload") }
        var pairs: [String: [UInt8]] = [:]
        for pair in signature.split(separator: "&") {
            let parts = pair.split(separator: "|", maxSplits: 1)
            guard parts.count == 2, let code = HexEncoding.decode(parts[1]), code.count == Insecure.SHA1.byteCount else { continue }
            pairs[String(parts[0])] = code
        }
        guard !pairs.isEmpty else { throw .malformedHeader("body field bt_signature", reason: "expected public_key|hex pairs") }
        let candidates = [Array(payload.utf8), Array((payload + "\n").utf8)]
        guard
            let index = secrets.firstIndex(where: { secret in
                guard let (publicKey, key) = try? Self.key(secret), let code = pairs[publicKey] else { return false }
                return candidates.contains { HMAC<Insecure.SHA1>.isValidAuthenticationCode(code, authenticating: $0, using: key) }
            })
        else { throw .mismatch }
        return index
    }

    /// Nothing goes in a header: the signature is a form field (see `bodySignature`).
    public func sign(_ request: WebhookRequest, secret: Secret, id: String, timestamp: Date) -> HTTPFields {
        HTTPFields()
    }

    /// The `bt_signature` pair of `secret` for the form's `bt_payload`, escaped for the form.
    public func bodySignature(_ request: WebhookRequest, secret: Secret) throws(SecretFormatError) -> String? {
        guard let payload = FormEncoding.object(request.body)["bt_payload"] as? String else {
            throw SecretFormatError(reason: "cannot sign: the form has no bt_payload")
        }
        let (publicKey, key) = try Self.key(secret)
        let code = HMAC<Insecure.SHA1>.authenticationCode(for: Array(payload.utf8), using: key)
        let pair = publicKey + "|" + HexEncoding.encode(Array(code))
        return pair.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? pair
    }

    public func validate(secret: Secret) throws(SecretFormatError) {
        _ = try Self.key(secret)
    }

    /// The public key that names the pair, and the HMAC key: the SHA-1 of the private key.
    static func key(_ secret: Secret) throws(SecretFormatError) -> (String, SymmetricKey) {
        let parts = secret.value.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw SecretFormatError(reason: "a Braintree webhook_secret is \"public_key:private_key\" (the API key pair)")
        }
        return (String(parts[0]), SymmetricKey(data: Array(Insecure.SHA1.hash(data: Array(parts[1].utf8)))))
    }
}

extension BraintreeSignature {
    init?(reading table: TOMLReader) {
        table.rejectUnknownKeys(["scheme"])
        self.init()
    }
}
