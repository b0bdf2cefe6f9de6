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
    }

    let parts: [Part]
    public let description: String

    static let expectation =
        "a template of literal text and {body}, {timestamp}, {url} or {header:Name}, such as \"v0:{timestamp}:{body}\""

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
            case .placeholder(let name):
                guard name.hasPrefix("header:"), let field = HTTPField.Name(String(name.dropFirst("header:".count))) else { return nil }
                parts.append(.header(field))
            }
        }
        guard parts.contains(.body) else { return nil }
        self.parts = parts
    }

    var usesURL: Bool { parts.contains(.url) }
    var usesTimestamp: Bool { parts.contains(.timestamp) }

    /// The bytes to sign; nil when a part the template names is missing from the request.
    func message(for request: WebhookRequest, timestamp: String?) -> [UInt8]? {
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
            }
        }
        return message
    }
}
