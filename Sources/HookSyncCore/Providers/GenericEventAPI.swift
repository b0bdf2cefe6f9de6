import TOMLKit

/// The `[api]` keys of `style = "generic"`: an in-house platform's event API described as
/// data, so polling it needs no code.
public struct GenericEventAPI: Sendable, Hashable {
    /// How the request proves who it is, with the source's `api_key`.
    public enum Auth: Sendable, Hashable {
        case bearer
        case basic
        case header(String)
        /// An OAuth client-credentials token from `token_path`, with the source's `client_id`
        /// and `client_secret` instead of an `api_key` (PayPal).
        case oauth(tokenPath: String)
    }

    /// Where the next page's position comes from, and what is kept as the cursor.
    public enum Paging: Sendable, Hashable {
        /// A value in the answer (`/next_cursor`), sent back as `cursor_param`; kept after each page.
        case body(JSONPointer)
        /// A field of the page's last item (`item:/id`), for APIs listing oldest first.
        case lastItem(JSONPointer)
        /// `Link: rel="next"`; the cursor is the newest event time, re-read from `since_param`.
        case link
        /// As `link`, from a HATEOAS `links` array in the answer (`{"href", "rel": "next"}`, PayPal's).
        case bodyLink(JSONPointer)
    }

    public var path: String
    public var auth: Auth
    /// The array of events in an answer (`/data`; empty for a top-level array).
    public var items: JSONPointer
    public var paging: Paging
    public var cursorParameter: String
    public var sinceParameter: String?
    public var sinceFormat: TimestampFormat
    public var pageSizeParameter: String?
    public var pageSize: Int
    /// A boolean in the answer that says whether another page follows.
    public var hasMore: JSONPointer?
    /// Parameters sent with every request, such as Paddle's `order_by = "id[ASC]"`.
    public var query: [String: String] = [:]

    static let keys: Set<String> = [
        "path", "auth", "items", "cursor", "cursor_param", "since_param", "since_format", "page_size_param", "page_size", "has_more", "query",
        "token_path",
    ]
}

extension GenericEventAPI {
    init?(reading table: TOMLReader) {
        guard let path = table.string("path", required: true) else { return nil }
        var auth = Auth.bearer
        switch table.string("auth") {
        case nil, "bearer": break
        case "basic": auth = .basic
        case let text? where text.hasPrefix("header:") && text.count > "header:".count: auth = .header(String(text.dropFirst("header:".count)))
        case "oauth"?:
            if let path = table.string("token_path", required: true) { auth = .oauth(tokenPath: path) }
        case let text?: table.report("auth", value: "\"\(text)\"", expected: "\"bearer\", \"basic\", \"oauth\" or \"header:<Name>\"")
        }
        func pointer(_ key: String, _ text: String?) -> JSONPointer? {
            guard let text else { return nil }
            guard let pointer = JSONPointer(text) else {
                table.report(key, value: "\"\(text)\"", expected: "a JSON pointer such as \"/data\"")
                return nil
            }
            return pointer
        }
        let items = pointer("items", table.string("items") ?? "")
        var paging: Paging?
        switch table.string("cursor", required: true) {
        case "link"?: paging = .link
        case let text? where text.hasPrefix("link:"): paging = pointer("cursor", String(text.dropFirst("link:".count))).map(Paging.bodyLink)
        case let text? where text.hasPrefix("item:"): paging = pointer("cursor", String(text.dropFirst("item:".count))).map(Paging.lastItem)
        case let text?: paging = pointer("cursor", text).map(Paging.body)
        case nil: break
        }
        let sinceParameter = table.string("since_param")
        if paging?.isLink == true && sinceParameter == nil {
            table.report("since_param", value: nil, expected: "a query parameter, because a link cursor resumes from a time")
        }
        let hasMore = pointer("has_more", table.string("has_more"))
        var query: [String: String] = [:]
        if let fixed = table.table("query") {
            for name in fixed.table.keys {
                query[name] = fixed.string(name, required: true)
            }
        }
        guard let items, let paging else { return nil }
        self.init(
            path: path,
            auth: auth,
            items: items,
            paging: paging,
            cursorParameter: table.string("cursor_param") ?? "cursor",
            sinceParameter: sinceParameter,
            sinceFormat: table.choice("since_format") ?? .rfc3339,
            pageSizeParameter: table.string("page_size_param"),
            pageSize: table.int("page_size", in: 1...10_000) ?? 100,
            hasMore: hasMore,
            query: query
        )
    }
}

extension GenericEventAPI.Paging {
    /// Paged by next-page URLs, resumed from the newest event time.
    var isLink: Bool {
        switch self {
        case .link, .bodyLink: true
        case .body, .lastItem: false
        }
    }
}

extension GenericEventAPI {
    public var usesOAuth: Bool {
        if case .oauth = auth { true } else { false }
    }
}
