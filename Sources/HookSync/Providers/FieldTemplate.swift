/// Text with placeholders that reads one value out of an event, such as GitHub's
/// `"{header:X-GitHub-Hook-ID}:{header:X-GitHub-Delivery}"`.
///
/// A placeholder lists alternatives separated by `|` and takes the first that is present:
/// `{/admin_graphql_api_id|/id}`. `{{` and `}}` stand for literal braces. A template renders
/// only when every placeholder has a value, so a provider file can list fallbacks (see `FieldRule`).
public struct FieldTemplate: Sendable, Hashable, CustomStringConvertible {
    enum Part: Sendable, Hashable {
        case literal(String)
        case placeholder([FieldSource])
    }

    let parts: [Part]
    public let description: String

    static let expectation =
        "a JSON pointer (\"/id\"), a header (\"header:X-Event-Id\") or a template of them (\"{header:X-Hook-ID}:{/id}\")"

    /// Parses a template. A bare source (`/id`, `header:webhook-id`) is a template of one placeholder.
    public init?(_ text: String) {
        description = text
        if let source = FieldSource(text), !text.contains("{") {
            parts = [.placeholder([source])]
            return
        }
        var parts: [Part] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character == "{" || character == "}", next < text.endIndex, text[next] == character {
                literal.append(character)
                index = text.index(after: next)
                continue
            }
            guard character != "}" else { return nil }
            guard character == "{" else {
                literal.append(character)
                index = next
                continue
            }
            guard let close = text[next...].firstIndex(of: "}") else { return nil }
            var sources: [FieldSource] = []
            for alternative in text[next..<close].split(separator: "|", omittingEmptySubsequences: false) {
                guard let source = FieldSource(String(alternative)) else { return nil }
                sources.append(source)
            }
            if !literal.isEmpty { parts.append(.literal(literal)) }
            literal = ""
            parts.append(.placeholder(sources))
            index = text.index(after: close)
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        guard !parts.isEmpty else { return nil }
        self.parts = parts
    }

    /// False for plain text, which suits a type's last fallback but never an id.
    public var hasPlaceholder: Bool {
        parts.contains { if case .placeholder = $0 { true } else { false } }
    }

    /// The filled-in text, or nil when a placeholder has none of its alternatives.
    public func render(_ document: EventDocument) -> String? {
        var result = ""
        for part in parts {
            switch part {
            case .literal(let text):
                result += text
            case .placeholder(let sources):
                guard let value = sources.lazy.compactMap({ document.text(at: $0) }).first else { return nil }
                result += value
            }
        }
        return result
    }
}
