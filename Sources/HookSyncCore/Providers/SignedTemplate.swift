import HTTPTypes

/// What a generic HMAC signature covers, such as Slack's `"v0:{timestamp}:{body}"` or Square's
/// `"{url}{body}"`: literal text and the request's raw parts, concatenated byte for byte.
public struct SignedTemplate: Sendable, Hashable, CustomStringConvertible {
    enum Part: Sendable, Hashable {
        case literal(String)
        case body
        case url
        case timestamp
        case header(HTTPField.Name)
        /// The unsigned decimal CRC-32 of the body, which PayPal signs instead of the body.
        case crc32
        /// The source's `webhook_id`, which PayPal signs so that a request for one webhook
        /// cannot be replayed to another.
        case webhookID
        /// A field of the body, for providers that sign values inside it (Mailgun). With
        /// `orEmpty` (written `{/pointer|}`) an absent field signs as empty text (Adyen).
        case field(JSONPointer, orEmpty: Bool)
    }

    let parts: [Part]
    public let description: String

    static let expectation =
        "a template of literal text and {body}, {crc32}, {timestamp}, {url}, {webhook_id}, {header:Name}, {/pointer} or {/pointer|} (empty when absent), such as \"v0:{timestamp}:{body}\""

    public init?(_ text: String) {
        description = text
        guard let pieces = BraceTemplate.pieces(text) else { return nil }
        var parts: [Part] = []
        for piece in pieces {
            switch piece {
            case .literal(let literal): parts.append(.literal(literal))
            case .placeholder("body"): parts.append(.body)
            case .placeholder("url"): parts.append(.url)
            case .placeholder("timestamp"): parts.append(.timestamp)
            case .placeholder("crc32"): parts.append(.crc32)
            case .placeholder("webhook_id"): parts.append(.webhookID)
            case .placeholder(let name) where name.hasPrefix("/"):
                let orEmpty = name.hasSuffix("|")
                guard let pointer = JSONPointer(String(orEmpty ? name.dropLast() : name[...])) else { return nil }
                parts.append(.field(pointer, orEmpty: orEmpty))
            case .placeholder(let name):
                guard name.hasPrefix("header:"), let field = HTTPField.Name(String(name.dropFirst("header:".count))) else { return nil }
                parts.append(.header(field))
            }
        }
        // A signature must cover the body, or at least values read from it.
        guard parts.contains(where: { $0 == .body || $0 == .crc32 || $0.isField }) else { return nil }
        self.parts = parts
    }

    var usesURL: Bool { parts.contains(.url) }
    var usesTimestamp: Bool { parts.contains(.timestamp) }
    var usesFields: Bool { parts.contains(where: \.isField) }
    var usesWebhookID: Bool { parts.contains(.webhookID) }

    /// The bytes to sign; nil when a part the template names is missing from the request.
    /// - Parameter document: the parsed body, for templates that read fields of it.
    func message(for request: WebhookRequest, timestamp: String?, document: EventDocument? = nil) -> [UInt8]? {
        var message: [UInt8] = []
        message.reserveCapacity(request.body.count + 128)
        for part in parts {
            switch part {
            case .literal(let text): message += text.utf8
            case .body: message += request.body
            case .url:
                guard let url = request.url else { return nil }
                message += url.utf8
            case .timestamp:
                guard let timestamp else { return nil }
                message += timestamp.utf8
            case .header(let name):
                guard let value = request.headers[name] else { return nil }
                message += value.utf8
            case .crc32:
                message += String(CRC32.checksum(request.body)).utf8
            case .webhookID:
                guard let webhookID = request.webhookID else { return nil }
                message += webhookID.utf8
            case .field(let pointer, let orEmpty):
                guard let value = document?.text(at: .body(pointer)) ?? (orEmpty ? "" : nil) else { return nil }
                message += value.utf8
            }
        }
        return message
    }
}

extension SignedTemplate.Part {
    var isField: Bool {
        if case .field = self { true } else { false }
    }
}

extension TOMLReader {
    /// The `signed` key: a template, or `"{body}"` when the key is absent and not required.
    /// Nil, with the problem reported, when it does not parse.
    func signedTemplate(required: Bool = false) -> SignedTemplate? {
        guard let text = string("signed", required: required) else { return required ? nil : SignedTemplate("{body}") }
        guard let template = SignedTemplate(text) else {
            report("signed", value: "\"\(text)\"", expected: SignedTemplate.expectation)
            return nil
        }
        return template
    }
}
