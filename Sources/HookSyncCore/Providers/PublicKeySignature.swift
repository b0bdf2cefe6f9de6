import Crypto
public import Foundation
public import HTTPTypes

/// A signature made with the provider's private key and checked with the public key it
/// publishes, which a source sets as `public_key`: Discord's Ed25519 over timestamp and body,
/// SendGrid's ECDSA P-256 over the same.
///
/// Nobody who holds only the public key can sign, so `send-test` cannot make such a request.
public struct PublicKeySignature: SignatureScheme {
    public enum Algorithm: String, Sendable, CaseIterable {
        /// A 64-byte signature; keys as 32 raw bytes (hex or base64) or PEM.
        case ed25519
        /// A DER or raw (r‖s) signature over SHA-256; keys as DER (base64) or PEM.
        case ecdsaP256 = "ecdsa-p256-sha256"
    }

    public var algorithm: Algorithm
    public var location: SignatureLocation
    public var encoding: DigestEncoding
    public var prefix: String
    public var signed: SignedTemplate
    public var timestamp: SignatureLocation?
    public var timestampFormat: TimestampFormat
    public var window: TimestampWindow

    public init(
        algorithm: Algorithm,
        location: SignatureLocation,
        encoding: DigestEncoding,
        prefix: String = "",
        signed: SignedTemplate,
        timestamp: SignatureLocation? = nil,
        timestampFormat: TimestampFormat = .unix,
        window: TimestampWindow = TimestampWindow(tolerance: .zero)
    ) {
        self.algorithm = algorithm
        self.location = location
        self.encoding = encoding
        self.prefix = prefix
        self.signed = signed
        self.timestamp = timestamp
        self.timestampFormat = timestampFormat
        self.window = window
    }

    public var name: String { algorithm.rawValue }
    public var keyKind: KeyKind { .publicKey }

    public var summary: String {
        "\(location): \(prefix)<\(encoding.rawValue) \(algorithm.rawValue)> over \"\(signed)\", checked with public_key"
    }

    public var tolerance: Duration? { timestamp == nil ? nil : window.tolerance }

    public func with(tolerance: Duration) -> PublicKeySignature {
        var copy = self
        copy.window.tolerance = tolerance
        return copy
    }

    public func verify(_ request: WebhookRequest, secrets: [Secret], now: Date) throws(SignatureFailure) -> Int {
        let document = signed.usesFields || location.readsBody || timestamp?.readsBody == true ? EventDocument(signed: request) : nil
        guard let value = location.values(in: request, document: document).first else { throw .missingHeader(location.label) }
        guard value.hasPrefix(prefix), let signature = encoding.decode(value.dropFirst(prefix.count)) else {
            throw .malformedHeader(location.label, reason: "expected \(prefix)<\(encoding.rawValue) signature>")
        }
        let text = try SignedText(request, document: document, template: signed, timestamp: timestamp, format: timestampFormat, label: location.label)
        guard let index = secrets.firstIndex(where: { (try? isValid(signature, for: text.message, key: $0)) == true }) else {
            throw .mismatch
        }
        if let sentAt = text.sentAt { try window.check(sentAt, now: now) }
        return index
    }

    private func isValid(_ signature: [UInt8], for message: [UInt8], key: Secret) throws(SecretFormatError) -> Bool {
        switch algorithm {
        case .ed25519:
            return try Self.ed25519Key(key).isValidSignature(signature, for: message)
        case .ecdsaP256:
            let key = try Self.p256Key(key)
            let parsed =
                (try? P256.Signing.ECDSASignature(derRepresentation: signature))
                ?? (try? P256.Signing.ECDSASignature(rawRepresentation: signature))
            guard let parsed else { return false }
            return key.isValidSignature(parsed, for: message)
        }
    }

    public func sign(_ request: WebhookRequest, secret: Secret, id: String, timestamp: Date) throws(SecretFormatError) -> HTTPFields {
        throw SecretFormatError(reason: "a public key can verify but not sign: \(algorithm.rawValue) requests come from the provider only")
    }

    public func validate(secret: Secret) throws(SecretFormatError) {
        switch algorithm {
        case .ed25519: _ = try Self.ed25519Key(secret)
        case .ecdsaP256: _ = try Self.p256Key(secret)
        }
    }

    /// Hex or base64 of the 32 raw bytes (Discord shows hex), or a PEM `PUBLIC KEY`.
    static func ed25519Key(_ key: Secret) throws(SecretFormatError) -> Curve25519.Signing.PublicKey {
        let text = key.value.trimmingCharacters(in: .whitespacesAndNewlines)
        let raw = text.count == 64 ? HexEncoding.decode(text[...]) : PEM.body(text, label: "PUBLIC KEY") ?? Data(base64Encoded: text).map(Array.init)
        // A PEM or DER SubjectPublicKeyInfo ends with the 32 key bytes after a fixed 12-byte header.
        let bytes = raw.map { $0.count == 44 ? Array($0.suffix(32)) : $0 }
        guard let bytes, let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: bytes) else {
            throw SecretFormatError(reason: "an ed25519 public_key is 32 bytes in hex or base64, or a PEM PUBLIC KEY")
        }
        return publicKey
    }

    /// Base64 of the DER SubjectPublicKeyInfo (SendGrid's verification key), or PEM.
    static func p256Key(_ key: Secret) throws(SecretFormatError) -> P256.Signing.PublicKey {
        let text = key.value.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("-----BEGIN"), let publicKey = try? P256.Signing.PublicKey(pemRepresentation: text) { return publicKey }
        guard let der = Data(base64Encoded: text), let publicKey = try? P256.Signing.PublicKey(derRepresentation: der) else {
            throw SecretFormatError(reason: "an ECDSA P-256 public_key is the base64 of its DER SubjectPublicKeyInfo, or a PEM PUBLIC KEY")
        }
        return publicKey
    }
}

/// The base64 body of a PEM block, for keys swift-crypto reads only raw.
enum PEM {
    static func body(_ text: String, label: String) -> [UInt8]? {
        guard text.hasPrefix("-----BEGIN \(label)-----"), text.contains("-----END \(label)-----") else { return nil }
        let inner = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return Data(base64Encoded: inner).map(Array.init)
    }
}

extension PublicKeySignature {
    init?(reading table: TOMLReader, algorithm: Algorithm) {
        table.rejectUnknownKeys(["scheme", "header", "encoding", "prefix", "signed", "timestamp_header", "timestamp_format", "tolerance"])
        let header = table.headerName("header", required: true)
        let signed = table.signedTemplate()
        let timestampHeader = table.headerName("timestamp_header")
        if let signed, signed.usesTimestamp && timestampHeader == nil {
            table.report("timestamp_header", value: nil, expected: "a header name, because signed uses {timestamp}")
        }
        guard let header, let signed else { return nil }
        self.init(
            algorithm: algorithm,
            location: .header(header),
            encoding: table.choice("encoding") ?? (algorithm == .ed25519 ? .hex : .base64),
            prefix: table.string("prefix") ?? "",
            signed: signed,
            timestamp: timestampHeader.map(SignatureLocation.header),
            timestampFormat: table.choice("timestamp_format") ?? .unix,
            window: TimestampWindow(tolerance: table.duration("tolerance") ?? .zero)
        )
    }
}
