public import Foundation
public import HTTPTypes

/// A generic HMAC scheme that covers GitHub, Shopify, Square, Slack and most in-house platforms:
/// a header (or a body field) holding an optionally prefixed hex or base64 digest of a signed
/// template, with an optional timestamp checked against a replay window.
public struct HMACSignature: SignatureScheme {
    /// One place a provider may sign in. Several let a provider file accept a legacy header
    /// (Square's SHA-1 `x-square-signature`) when the current one is absent.
    public struct Digest: Sendable, Hashable {
        public var location: SignatureLocation
        public var algorithm: HMACAlgorithm
        public var encoding: DigestEncoding
        /// Text before the digest, such as GitHub's `sha256=` or Slack's `v0=`.
        public var prefix: String

        public init(location: SignatureLocation, algorithm: HMACAlgorithm = .sha256, encoding: DigestEncoding = .hex, prefix: String = "") {
            self.location = location
            self.algorithm = algorithm
            self.encoding = encoding
            self.prefix = prefix
        }

        public init(header: HTTPField.Name, algorithm: HMACAlgorithm = .sha256, encoding: DigestEncoding = .hex, prefix: String = "") {
            self.init(location: .header(header), algorithm: algorithm, encoding: encoding, prefix: prefix)
        }
    }

    /// Checked in order; the first that is present decides.
    public var digests: [Digest]
    public var signed: SignedTemplate
    /// A header or body field with the send time, checked against `window`.
    public var timestamp: SignatureLocation?
    public var timestampFormat: TimestampFormat
    public var window: TimestampWindow
    public var secretEncoding: SecretEncoding
    /// A value that must not come twice within the window, such as Mailgun's `token`.
    public var replayKey: FieldSource?
    /// For batches whose every element carries its own signature (Adyen): where the elements
    /// are. Field locations and `{/pointer}`s are then read in each element, and all must verify.
    public var each: BatchPath?

    public init(
        digests: [Digest],
        signed: SignedTemplate,
        timestamp: SignatureLocation? = nil,
        timestampFormat: TimestampFormat = .unix,
        window: TimestampWindow = TimestampWindow(tolerance: .seconds(300)),
        secretEncoding: SecretEncoding = SecretEncoding(),
        replayKey: FieldSource? = nil,
        each: BatchPath? = nil
    ) {
        self.digests = digests
        self.signed = signed
        self.timestamp = timestamp
        self.timestampFormat = timestampFormat
        self.window = window
        self.secretEncoding = secretEncoding
        self.replayKey = replayKey
        self.each = each
    }

    public var name: String { "hmac" }

    public var summary: String {
        digests.map { "\($0.location): \($0.prefix)<\($0.encoding.rawValue) hmac-\($0.algorithm.rawValue)>" }
            .joined(separator: " or ") + " over \"\(signed)\"" + (each.map { " in each of \($0)" } ?? "")
    }

    public var tolerance: Duration? { timestamp == nil ? nil : window.tolerance }
    public var signsURL: Bool { signed.usesURL }

    public func with(tolerance: Duration) -> HMACSignature {
        var copy = self
        copy.window.tolerance = tolerance
        return copy
    }

    /// Whether the body must be parsed before the signature can be checked.
    private var readsBody: Bool {
        signed.usesFields || digests.contains { $0.location.readsBody } || timestamp?.readsBody == true
    }

    public func verify(_ request: WebhookRequest, secrets: [Secret], now: Date) throws(SignatureFailure) -> Int {
        guard let each else {
            return try verify(request, document: readsBody ? EventDocument(signed: request) : nil, secrets: secrets, now: now)
        }
        let elements = EventDocument(signed: request).map { each.items(in: $0.body) } ?? []
        guard let first = elements.first else { throw .missingHeader("\(digests[0].location.label) in \(each)") }
        let index = try verify(request, document: EventDocument(headers: request.headers, body: first), secrets: secrets, now: now)
        for element in elements.dropFirst() {
            try verify(request, document: EventDocument(headers: request.headers, body: element), secrets: secrets, now: now)
        }
        return index
    }

    /// Checks one signature: the request's, or one element's when `document` is that element.
    @discardableResult
    private func verify(_ request: WebhookRequest, document: EventDocument?, secrets: [Secret], now: Date) throws(SignatureFailure) -> Int {
        guard
            let (digest, values) = digests.lazy.map({ d in (d, d.location.values(in: request, document: document)) }).first(where: { !$0.1.isEmpty })
        else { throw .missingHeader(digests[0].location.label) }
        let label = digest.location.label
        var codes: [[UInt8]] = []
        for value in values {
            guard value.hasPrefix(digest.prefix) else {
                throw .malformedHeader(label, reason: "expected \"\(digest.prefix)\" followed by the signature")
            }
            guard let code = digest.encoding.decode(value.dropFirst(digest.prefix.count)), code.count == digest.algorithm.byteCount else {
                throw .malformedHeader(
                    label,
                    reason:
                        "expected a \(digest.encoding.rawValue) HMAC-\(digest.algorithm.rawValue.uppercased()) of \(digest.algorithm.byteCount) bytes"
                )
            }
            codes.append(code)
        }
        let text = try SignedText(request, document: document, template: signed, timestamp: timestamp, format: timestampFormat, label: label)
        guard
            let index = secrets.firstIndex(where: { secret in
                guard let key = try? secretEncoding.key(for: secret) else { return false }
                return codes.contains { digest.algorithm.isValid($0, for: text.message, key: key) }
            })
        else { throw .mismatch }
        if let sentAt = text.sentAt { try window.check(sentAt, now: now) }
        return index
    }

    public func sign(_ request: WebhookRequest, secret: Secret, id: String, timestamp date: Date) throws(SecretFormatError) -> HTTPFields {
        var headers = HTTPFields()
        if let header = timestamp?.firstHeader {
            headers[header] = timestampFormat.format(date)
        }
        // A signature inside the body is written there by the sender (see `bodySignature`).
        guard let header = digests[0].location.firstHeader else { return headers }
        var signedRequest = request
        signedRequest.headers.append(contentsOf: headers)
        headers[header] = try digestText(for: signedRequest, secret: secret)
        return headers
    }

    public func bodySignature(_ request: WebhookRequest, secret: Secret) throws(SecretFormatError) -> String? {
        guard digests[0].location.readsBody else { return nil }
        return try digestText(for: request, secret: secret)
    }

    /// The first digest's text, prefix included, for a request whose timestamp is in place.
    private func digestText(for request: WebhookRequest, secret: Secret) throws(SecretFormatError) -> String {
        var document = readsBody || each != nil ? EventDocument(signed: request) : nil
        if let each, let whole = document {
            // A sample batch holds one element: its signature is the one to write.
            document = each.items(in: whole.body).first.map { EventDocument(headers: request.headers, body: $0) }
        }
        let timestampText = timestamp.flatMap { $0.values(in: request, document: document).first }
        guard let message = signed.message(for: request, timestamp: timestampText, document: document) else {
            throw SecretFormatError(reason: "cannot sign: the request lacks a part of \"\(signed)\"")
        }
        let digest = digests[0]
        let code = digest.algorithm.authenticationCode(for: message, key: try secretEncoding.key(for: secret))
        return digest.prefix + digest.encoding.encode(code)
    }

    public func validate(secret: Secret) throws(SecretFormatError) {
        _ = try secretEncoding.key(for: secret)
    }
}

extension HMACSignature {
    static let keys: Set<String> = [
        "scheme", "header", "field", "algorithm", "encoding", "prefix", "signed", "timestamp_header", "timestamp_field",
        "timestamp_format", "tolerance", "secret_encoding", "secret_prefix", "replay_key", "each", "fallback",
    ]

    /// Reads `scheme = "hmac"` parameters from a provider file's `[signature]` table.
    init?(reading table: TOMLReader) {
        table.rejectUnknownKeys(Self.keys)
        var digests: [Digest] = []
        if let primary = Self.digest(table) { digests.append(primary) }
        if let fallback = table.table("fallback") {
            fallback.rejectUnknownKeys(["header", "field", "algorithm", "encoding", "prefix"])
            if let digest = Self.digest(fallback) { digests.append(digest) }
        }
        let signed = table.signedTemplate()
        let timestamp = Self.location(table, header: "timestamp_header", field: "timestamp_field", required: false)
        let format: TimestampFormat = table.choice("timestamp_format") ?? .unix
        let tolerance = table.duration("tolerance") ?? .seconds(300)
        if let signed, signed.usesTimestamp && timestamp == nil {
            table.report("timestamp_header", value: nil, expected: "a header name (or timestamp_field), because signed uses {timestamp}")
        }
        var replayKey: FieldSource?
        if let text = table.string("replay_key") {
            replayKey = FieldSource(text)
            if replayKey == nil {
                table.report("replay_key", value: "\"\(text)\"", expected: "a JSON pointer (\"/token\") or a header (\"header:X-Token\")")
            }
        }
        var each: BatchPath?
        if let text = table.string("each") {
            each = BatchPath(text)
            if each == nil {
                table.report("each", value: "\"\(text)\"", expected: "a JSON pointer with * for each array element, such as \"/items/*\"")
            }
        }
        let secretEncoding = SecretEncoding(format: table.choice("secret_encoding") ?? .utf8, prefix: table.string("secret_prefix") ?? "")
        guard digests.count == 1 + (table.contains("fallback") ? 1 : 0), let signed else { return nil }
        self.init(
            digests: digests,
            signed: signed,
            timestamp: timestamp,
            timestampFormat: format,
            window: TimestampWindow(tolerance: tolerance),
            secretEncoding: secretEncoding,
            replayKey: replayKey,
            each: each
        )
    }

    private static func digest(_ table: TOMLReader) -> Digest? {
        let location = location(table, header: "header", field: "field", required: true)
        let algorithm: HMACAlgorithm = table.choice("algorithm") ?? .sha256
        let encoding: DigestEncoding = table.choice("encoding") ?? .hex
        let prefix = table.string("prefix") ?? ""
        return location.map { Digest(location: $0, algorithm: algorithm, encoding: encoding, prefix: prefix) }
    }

    /// A header (`header`, which may be numbered with `{n}`) or a body field (`field`), not both.
    private static func location(_ table: TOMLReader, header: String, field: String, required: Bool) -> SignatureLocation? {
        switch (table.string(header), table.string(field)) {
        case (.some, .some):
            table.report(field, value: nil, expected: "either \(header) or \(field), not both")
            return nil
        case (let text?, nil):
            guard let location = SignatureLocation(text), !location.readsBody else {
                table.report(header, value: "\"\(text)\"", expected: "an HTTP header name, or one numbered with {n} such as \"X-Signature-{n}\"")
                return nil
            }
            return location
        case (nil, let text?):
            guard let pointer = JSONPointer(text), !pointer.tokens.isEmpty else {
                table.report(field, value: "\"\(text)\"", expected: "a JSON pointer into the body, such as \"/signature\"")
                return nil
            }
            return .field(pointer)
        case (nil, nil):
            if required { table.report(header, value: nil, expected: "a header name, or \(field) for a signature inside the body") }
            return nil
        }
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
