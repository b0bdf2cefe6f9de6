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
        guard let pieces = BraceTemplate.pieces(text) else { return nil }
        var parts: [Part] = []
        for piece in pieces {
            switch piece {
            case .literal(let literal):
                parts.append(.literal(literal))
            case .placeholder(let name):
                var sources: [FieldSource] = []
                for alternative in name.split(separator: "|", omittingEmptySubsequences: false) {
                    guard let source = FieldSource(String(alternative)) else { return nil }
                    sources.append(source)
                }
                parts.append(.placeholder(sources))
            }
        }
        guard !parts.isEmpty else { return nil }
        self.parts = parts
    }

    /// The body pointers the template reads, for the parse to build (``JSONProjection``).
    public var pointers: [JSONPointer] {
        parts.flatMap { part -> [JSONPointer] in
            guard case .placeholder(let sources) = part else { return [] }
            return sources.compactMap { source in
                switch source {
                case .body(let pointer), .digest(let pointer): pointer
                case .header: nil
                }
            }
        }
    }

    /// False for plain text, which suits a type's last fallback but never an id.
    public var hasPlaceholder: Bool {
        parts.contains { if case .placeholder = $0 { true } else { false } }
    }

    /// The filled-in text, or nil when a placeholder has none of its alternatives.
    public func render(_ document: EventDocument) -> String? {
        // Most templates are one placeholder (`/id`): its value is the whole text.
        if parts.count == 1, case .placeholder(let sources) = parts[0] { return Self.first(of: sources, in: document) }
        var result = ""
        for part in parts {
            switch part {
            case .literal(let text):
                result += text
            case .placeholder(let sources):
                guard let value = Self.first(of: sources, in: document) else { return nil }
                result += value
            }
        }
        return result
    }

    private static func first(of sources: [FieldSource], in document: EventDocument) -> String? {
        for source in sources {
            if let value = document.text(at: source) { return value }
        }
        return nil
    }
}
