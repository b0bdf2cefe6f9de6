import Crypto
public import Foundation
public import HTTPTypes

/// A shared secret sent as it is in a header instead of a signature over the request: GitLab's
/// `X-Gitlab-Token`, or the HTTP basic-auth credentials Postmark puts in the webhook URL.
///
/// Nothing ties the secret to the body, so it proves only who sent the request, over TLS. It is
/// compared in constant time (by digest) so the comparison's duration tells nothing about it.
public struct TokenSignature: SignatureScheme {
    public enum Encoding: String, Sendable, CaseIterable {
        /// The header holds the secret's text.
        case plain
        /// The header holds the secret's text in base64, as `Authorization: Basic` does.
        case base64
    }

    public var header: HTTPField.Name
    /// Text before the token, such as `Basic `; matched without regard to case, as auth schemes are.
    public var prefix: String
    public var encoding: Encoding

    public init(header: HTTPField.Name, prefix: String = "", encoding: Encoding = .plain) {
        self.header = header
        self.prefix = prefix
        self.encoding = encoding
    }

    public var name: String { "token" }

    public var summary: String {
        "\(header.rawName): \(prefix)<\(encoding == .plain ? "the secret" : "base64 of the secret")>"
    }

    public func verify(_ request: WebhookRequest, secrets: [Secret], now: Date) throws(SignatureFailure) -> Int {
        guard let value = request.headers[header] else { throw .missingHeader(header.rawName) }
        guard value.lowercased().hasPrefix(prefix.lowercased()) else {
            throw .malformedHeader(header.rawName, reason: "expected \"\(prefix)\" followed by the token")
        }
        let text = value.dropFirst(prefix.count)
        let token: [UInt8]
        switch encoding {
        case .plain:
            token = Array(text.utf8)
        case .base64:
            guard let bytes = Data(base64Encoded: String(text)) else {
                throw .malformedHeader(header.rawName, reason: "expected base64 after \"\(prefix)\"")
            }
            token = Array(bytes)
        }
        // Equal digests of equal length: comparing them takes the same time wherever they differ.
        let presented = SHA256.hash(data: token)
        guard let index = secrets.firstIndex(where: { SHA256.hash(data: Array($0.value.utf8)) == presented }) else {
            throw .mismatch
        }
        return index
    }

    public func sign(_ request: WebhookRequest, secret: Secret, id: String, timestamp: Date) -> HTTPFields {
        let text =
            switch encoding {
            case .plain: secret.value
            case .base64: Data(secret.value.utf8).base64EncodedString()
            }
        var headers = HTTPFields()
        headers[header] = prefix + text
        return headers
    }

    public func validate(secret: Secret) throws(SecretFormatError) {
        guard !secret.value.isEmpty else { throw SecretFormatError(reason: "the secret is empty") }
    }
}

extension TokenSignature {
    init?(reading table: TOMLReader) {
        table.rejectUnknownKeys(["scheme", "header", "prefix", "encoding"])
        guard let header = table.headerName("header", required: true) else { return nil }
        self.init(header: header, prefix: table.string("prefix") ?? "", encoding: table.choice("encoding") ?? .plain)
    }
}
