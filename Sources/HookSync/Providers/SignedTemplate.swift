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
        var parts: [Part] = []
        var literal = ""
        var rest = Substring(text)
        while let character = rest.first {
            if rest.hasPrefix("{{") || rest.hasPrefix("}}") {
                literal.append(character)
                rest = rest.dropFirst(2)
                continue
            }
            guard character != "}" else { return nil }
            guard character == "{" else {
                literal.append(character)
                rest = rest.dropFirst()
                continue
            }
            guard let close = rest.firstIndex(of: "}") else { return nil }
            let name = rest[rest.index(after: rest.startIndex)..<close]
            let part: Part
            switch name {
            case "body": part = .body
            case "url": part = .url
            case "timestamp": part = .timestamp
            default:
                guard name.hasPrefix("header:"), let field = HTTPField.Name(String(name.dropFirst("header:".count))) else {
                    return nil
                }
                part = .header(field)
            }
            if !literal.isEmpty { parts.append(.literal(literal)) }
            literal = ""
            parts.append(part)
            rest = rest[rest.index(after: close)...]
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
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
