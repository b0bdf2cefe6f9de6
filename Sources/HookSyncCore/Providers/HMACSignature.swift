public import Foundation
public import HTTPTypes

/// A generic HMAC scheme that covers GitHub, Shopify, Square, Slack and most in-house platforms:
/// a header holding an optionally prefixed hex or base64 digest of a signed template, with an
/// optional timestamp header checked against a replay window.
public struct HMACSignature: SignatureScheme {
    /// One header a provider may sign with. Several let a provider file accept a legacy header
    /// (Square's SHA-1 `x-square-signature`) when the current one is absent.
    public struct Digest: Sendable, Hashable {
        public var header: HTTPField.Name
        public var algorithm: HMACAlgorithm
        public var encoding: DigestEncoding
        /// Text before the digest, such as GitHub's `sha256=` or Slack's `v0=`.
        public var prefix: String

        public init(header: HTTPField.Name, algorithm: HMACAlgorithm = .sha256, encoding: DigestEncoding = .hex, prefix: String = "") {
            self.header = header
            self.algorithm = algorithm
            self.encoding = encoding
            self.prefix = prefix
        }
    }

    /// Checked in order; the first whose header is present decides.
    public var digests: [Digest]
    public var signed: SignedTemplate
    public var timestampHeader: HTTPField.Name?
    public var timestampFormat: TimestampFormat
    public var window: TimestampWindow
    public var secretEncoding: SecretEncoding

    public init(
        digests: [Digest],
        signed: SignedTemplate,
        timestampHeader: HTTPField.Name? = nil,
        timestampFormat: TimestampFormat = .unix,
        window: TimestampWindow = TimestampWindow(tolerance: .seconds(300)),
        secretEncoding: SecretEncoding = SecretEncoding()
    ) {
        self.digests = digests
        self.signed = signed
        self.timestampHeader = timestampHeader
        self.timestampFormat = timestampFormat
        self.window = window
        self.secretEncoding = secretEncoding
    }

    public var name: String { "hmac" }

    public var summary: String {
        digests.map { "\($0.header.rawName): \($0.prefix)<\($0.encoding.rawValue) hmac-\($0.algorithm.rawValue)>" }
            .joined(separator: " or ") + " over \"\(signed)\""
    }

    public var tolerance: Duration? { timestampHeader == nil ? nil : window.tolerance }
    public var signsURL: Bool { signed.usesURL }

    public func with(tolerance: Duration) -> HMACSignature {
        var copy = self
        copy.window.tolerance = tolerance
        return copy
    }

    public func verify(_ request: WebhookRequest, secrets: [Secret], now: Date) throws(SignatureFailure) -> Int {
        guard let (digest, value) = digests.lazy.compactMap({ d in request.headers[d.header].map { (d, $0) } }).first else {
            throw .missingHeader(digests[0].header.rawName)
        }
        let headerName = digest.header.rawName
        guard value.hasPrefix(digest.prefix) else {
            throw .malformedHeader(headerName, reason: "expected \"\(digest.prefix)\" followed by the signature")
        }
        guard let code = digest.encoding.decode(value.dropFirst(digest.prefix.count)), code.count == digest.algorithm.byteCount else {
            throw .malformedHeader(
                headerName,
                reason: "expected a \(digest.encoding.rawValue) HMAC-\(digest.algorithm.rawValue.uppercased()) of \(digest.algorithm.byteCount) bytes"
            )
        }
        var timestampText: String?
        var timestamp: Date?
        if let timestampHeader {
            guard let text = request.headers[timestampHeader] else { throw .missingHeader(timestampHeader.rawName) }
            guard let date = timestampFormat.parse(text) else {
                throw .malformedHeader(timestampHeader.rawName, reason: "expected \(timestampFormat.expectation)")
            }
            timestampText = text
            timestamp = date
        }
        guard let message = signed.message(for: request, timestamp: timestampText) else {
            throw .malformedHeader(headerName, reason: "the request lacks a part of the signed text \"\(signed)\"")
        }
        guard
            let index = secrets.firstIndex(where: { secret in
                guard let key = try? secretEncoding.key(for: secret) else { return false }
                return digest.algorithm.isValid(code, for: message, key: key)
            })
        else { throw .mismatch }
        if let timestamp { try window.check(timestamp, now: now) }
        return index
    }

    public func sign(_ request: WebhookRequest, secret: Secret, id: String, timestamp: Date) throws(SecretFormatError) -> HTTPFields {
        var headers = HTTPFields()
        var timestampText: String?
        if let timestampHeader {
            let text = timestampFormat.format(timestamp)
            headers[timestampHeader] = text
            timestampText = text
        }
        var signedRequest = request
        signedRequest.headers.append(contentsOf: headers)
        guard let message = signed.message(for: signedRequest, timestamp: timestampText) else {
            throw SecretFormatError(reason: "cannot sign: the request lacks a part of \"\(signed)\"")
        }
        let digest = digests[0]
        let code = digest.algorithm.authenticationCode(for: message, key: try secretEncoding.key(for: secret))
        headers[digest.header] = digest.prefix + digest.encoding.encode(code)
        return headers
    }

    public func validate(secret: Secret) throws(SecretFormatError) {
        _ = try secretEncoding.key(for: secret)
    }
}

extension HMACSignature {
    static let keys: Set<String> = [
        "scheme", "header", "algorithm", "encoding", "prefix", "signed", "timestamp_header", "timestamp_format", "tolerance",
        "secret_encoding", "secret_prefix", "fallback",
    ]

    /// Reads `scheme = "hmac"` parameters from a provider file's `[signature]` table.
    init?(reading table: TOMLReader) {
        table.rejectUnknownKeys(Self.keys)
        var digests: [Digest] = []
        if let primary = Self.digest(table, required: true) { digests.append(primary) }
        if let fallback = table.table("fallback") {
            fallback.rejectUnknownKeys(["header", "algorithm", "encoding", "prefix"])
            if let digest = Self.digest(fallback, required: true) { digests.append(digest) }
        }
        var signed = SignedTemplate("{body}")
        if let text = table.string("signed") {
            signed = SignedTemplate(text)
            if signed == nil { table.report("signed", value: "\"\(text)\"", expected: SignedTemplate.expectation) }
        }
        let timestampHeader = table.headerName("timestamp_header")
        let format: TimestampFormat = table.choice("timestamp_format") ?? .unix
        let tolerance = table.duration("tolerance") ?? .seconds(300)
        if let signed, signed.usesTimestamp && timestampHeader == nil {
            table.report("timestamp_header", value: nil, expected: "a header name, because signed uses {timestamp}")
        }
        let secretEncoding = SecretEncoding(format: table.choice("secret_encoding") ?? .utf8, prefix: table.string("secret_prefix") ?? "")
        guard digests.count == 1 + (table.contains("fallback") ? 1 : 0), let signed else { return nil }
        self.init(
            digests: digests,
            signed: signed,
            timestampHeader: timestampHeader,
            timestampFormat: format,
            window: TimestampWindow(tolerance: tolerance),
            secretEncoding: secretEncoding
        )
    }

    private static func digest(_ table: TOMLReader, required: Bool) -> Digest? {
        let header = table.headerName("header", required: required)
        let algorithm: HMACAlgorithm = table.choice("algorithm") ?? .sha256
        let encoding: DigestEncoding = table.choice("encoding") ?? .hex
        let prefix = table.string("prefix") ?? ""
        return header.map { Digest(header: $0, algorithm: algorithm, encoding: encoding, prefix: prefix) }
    }
}

extension TOMLReader {
    /// An HTTP header name; reports anything that cannot be one.
    func headerName(_ name: String, required: Bool = false) -> HTTPField.Name? {
        guard let text = string(name, required: required) else { return nil }
        guard let field = HTTPField.Name(text) else {
            report(name, value: "\"\(text)\"", expected: "an HTTP header name")
            return nil
        }
        return field
    }
}
