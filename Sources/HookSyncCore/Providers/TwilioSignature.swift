import Crypto
public import Foundation
public import HTTPTypes

/// Twilio's `X-Twilio-Signature`: base64 HMAC-SHA1, keyed by the Auth Token, of the full URL
/// Twilio called followed by every POST parameter as `name + value`, sorted by name.
///
/// Follows twilio-python's `RequestValidator`: repeated names and values are deduplicated and
/// sorted; a JSON body is covered instead by a `bodySHA256` query parameter holding its hex
/// SHA-256; the URL verifies with or without its default port; and the
/// `X-Twilio-Webhooks-Signature-Settings` header may select HMAC-SHA256 for SharedKey signing.
public struct TwilioSignature: SignatureScheme {
    public var header: HTTPField.Name
    public var settingsHeader: HTTPField.Name

    public init(
        header: HTTPField.Name = .validated("X-Twilio-Signature"),
        settingsHeader: HTTPField.Name = .validated("X-Twilio-Webhooks-Signature-Settings")
    ) {
        self.header = header
        self.settingsHeader = settingsHeader
    }

    public var name: String { "twilio" }
    public var summary: String { "\(header.rawName): <base64 hmac-sha1> over the URL and sorted form parameters" }
    public var signsURL: Bool { true }

    public func verify(_ request: WebhookRequest, secrets: [Secret], now: Date) throws(SignatureFailure) -> Int {
        let name = header.rawName
        guard let value = request.headers[header] else { throw .missingHeader(name) }
        guard let code = DigestEncoding.base64.decode(value) else { throw .malformedHeader(name, reason: "not base64") }
        let algorithm = try self.algorithm(request)
        guard code.count == algorithm.byteCount else {
            throw .malformedHeader(name, reason: "expected a base64 HMAC-\(algorithm.rawValue.uppercased()) of \(algorithm.byteCount) bytes")
        }
        guard let url = request.url else { throw .malformedHeader(name, reason: "the source has no webhook_url to check it against") }
        let components = URLComponents(string: url)
        if let expected = components?.queryItems?.first(where: { $0.name == "bodySHA256" })?.value {
            let actual = HexEncoding.encode(Array(SHA256.hash(data: request.body)))
            guard actual == expected.lowercased() else { throw .mismatch }
        }
        let parameters = Self.signedParameters(request)
        let messages = Self.urlVariants(url).map { Array($0.utf8) + parameters }
        guard
            let index = secrets.firstIndex(where: { secret in
                let key = SymmetricKey(data: Array(secret.value.utf8))
                return messages.contains { algorithm.isValid(code, for: $0, key: key) }
            })
        else { throw .mismatch }
        return index
    }

    public func sign(_ request: WebhookRequest, secret: Secret, id: String, timestamp: Date) throws(SecretFormatError) -> HTTPFields {
        guard let url = request.url else { throw SecretFormatError(reason: "cannot sign: the source has no webhook_url") }
        let code = HMACAlgorithm.sha1.authenticationCode(
            for: Array(url.utf8) + Self.signedParameters(request),
            key: SymmetricKey(data: Array(secret.value.utf8))
        )
        var headers = HTTPFields()
        headers[header] = DigestEncoding.base64.encode(code)
        return headers
    }

    public func validate(secret: Secret) throws(SecretFormatError) {
        guard !secret.value.isEmpty else { throw SecretFormatError(reason: "the Auth Token is empty") }
    }

    private func algorithm(_ request: WebhookRequest) throws(SignatureFailure) -> HMACAlgorithm {
        guard let settings = request.headers[settingsHeader] else { return .sha1 }
        for part in settings.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces) == "algorithm" else { continue }
            switch pair[1].trimmingCharacters(in: .whitespaces).uppercased() {
            case "HMAC_SHA1": return .sha1
            case "HMAC_SHA256": return .sha256
            case let other: throw .malformedHeader(settingsHeader.rawName, reason: "unsupported algorithm \(other)")
            }
        }
        return .sha1
    }

    /// Form parameters as Twilio signs them: names sorted, each name's distinct values sorted,
    /// concatenated without separators. Other bodies contribute nothing.
    static func signedParameters(_ request: WebhookRequest) -> [UInt8] {
        let essence = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard essence == "application/x-www-form-urlencoded" else { return [] }
        var values: [String: Set<String>] = [:]
        for (name, value) in FormEncoding.parse(request.body) {
            values[name, default: []].insert(value)
        }
        var out: [UInt8] = []
        for name in values.keys.sorted(by: Self.codePointOrder) {
            for value in (values[name] ?? []).sorted(by: Self.codePointOrder) {
                out += name.utf8
                out += value.utf8
            }
        }
        return out
    }

    /// Python sorts by code point; UTF-8 byte order is the same order.
    private static func codePointOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// The URL without its port and with one (the default if none is given), as twilio-python
    /// tries both: Twilio does not sign consistently either way.
    static func urlVariants(_ url: String) -> [String] {
        guard var components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else { return [url] }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        components.port = nil
        let without = components.string
        components.port = port
        let with = components.string
        return [without, with].compactMap { $0 }
    }
}

extension TwilioSignature {
    init?(reading table: TOMLReader) {
        table.rejectUnknownKeys(["scheme", "header"])
        guard let header = table.contains("header") ? table.headerName("header") : .validated("X-Twilio-Signature") else { return nil }
        self.init(header: header)
    }
}
