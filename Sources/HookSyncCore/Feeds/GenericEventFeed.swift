public import Foundation

/// An event API described by a provider file (`[api] style = "generic"`): a GET with the
/// source's key, an items array, and a cursor taken from the answer, from the last item, or
/// from `Link` headers. Items become events through the provider file's `[event]` rules.
public struct GenericEventFeed: EventFeed {
    public var baseURL: String
    public var apiKey: String
    public var api: GenericEventAPI
    /// For `Link` paging: reads each item's time, to keep the newest as the cursor.
    public var mapping: EventMapping
    public var overlap: Duration
    /// For `auth = "oauth"`: the source's client, for the transport to get tokens with.
    public var oauth: OAuthClientCredentials?

    public init(
        baseURL: String,
        apiKey: String,
        api: GenericEventAPI,
        mapping: EventMapping,
        overlap: Duration = .seconds(300),
        oauth: OAuthClientCredentials? = nil
    ) {
        self.oauth = oauth
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.api = api
        self.mapping = mapping
        self.overlap = overlap
    }

    public func firstRequest(cursor: String?, since: Date) -> FeedRequest {
        var parameters: [(String, String)] = []
        var state: [String: String] = [:]
        if api.paging.isLink {
            let start = CursorTime.start(cursor: cursor, since: since, overlap: overlap)
            state["newest"] = cursor
            if let name = api.sinceParameter { parameters.append((name, api.sinceFormat.format(start))) }
        } else if let cursor {
            parameters.append((api.cursorParameter, cursor))
        } else if let name = api.sinceParameter {
            parameters.append((name, api.sinceFormat.format(since)))
        }
        return request(url: baseURL + api.path, parameters: parameters, state: state)
    }

    public func page(_ response: FeedResponse, for request: FeedRequest) throws(FeedError) -> FeedPage {
        guard let document = try? JSONTree.parse(response.body) else {
            throw FeedError("\(api.path): the answer is not JSON")
        }
        guard let items = api.items.resolve(in: document) as? [Any] else {
            throw FeedError("\(api.path): no array at \(api.items.description.isEmpty ? "the top level" : api.items.description)")
        }
        var events: [PolledEvent] = []
        for item in items {
            do {
                events.append(try PolledEvent(headers: [:], json: item))
            } catch {
                throw FeedError("\(api.path): an item cannot be re-encoded")
            }
        }
        let more = api.hasMore.flatMap { ($0.resolve(in: document) as? NSNumber)?.boolValue }
        switch api.paging {
        case .body(let pointer):
            let next = Self.text(pointer.resolve(in: document))
            let continues = more ?? !items.isEmpty
            let nextRequest =
                continues ? next.map { self.request(url: baseURL + api.path, parameters: [(api.cursorParameter, $0)], state: [:]) } : nil
            return FeedPage(events: events, cursor: next, next: nextRequest)
        case .lastItem(let pointer):
            let last = items.last.flatMap { Self.text(pointer.resolve(in: $0)) }
            let continues = more ?? (items.count >= api.pageSize)
            let nextRequest =
                continues ? last.map { self.request(url: baseURL + api.path, parameters: [(api.cursorParameter, $0)], state: [:]) } : nil
            return FeedPage(events: events, cursor: last, next: nextRequest)
        case .link, .bodyLink:
            var state = request.state
            for event in events {
                let occurred = (try? mapping.fields(headers: event.headers, body: event.body).occurredAt) ?? nil
                state["newest"] = CursorTime.later(state["newest"], occurred.map(TimestampFormat.rfc3339.format))
            }
            let link: String? =
                if case .bodyLink(let pointer) = api.paging { Self.nextHref(pointer.resolve(in: document)) } else {
                    FeedJSON.nextLink(response.headers["link"])
                }
            guard let link, more ?? true else {
                return FeedPage(events: events, cursor: state["newest"])
            }
            return FeedPage(events: events, next: FeedRequest(url: link, headers: headers, state: state, oauth: oauth))
        }
    }

    /// The `href` of the `rel: "next"` entry of a HATEOAS links array.
    private static func nextHref(_ links: Any?) -> String? {
        (links as? [Any])?.lazy.compactMap { $0 as? [String: Any] }.first { $0["rel"] as? String == "next" }?["href"] as? String
    }

    private static func text(_ value: Any?) -> String? {
        switch value {
        case let string as String: string.isEmpty ? nil : string
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }

    private func request(url: String, parameters: [(String, String)], state: [String: String]) -> FeedRequest {
        var all = api.query.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } + parameters
        if let name = api.pageSizeParameter { all.append((name, String(api.pageSize))) }
        return FeedRequest(url: all.isEmpty ? url : url + "?" + FeedJSON.query(all), headers: headers, state: state, oauth: oauth)
    }

    private var headers: [String: String] {
        switch api.auth {
        case .bearer: ["Authorization": "Bearer \(apiKey)", "Accept": "application/json"]
        // A key with a colon is a user and password (WooCommerce's consumer key and secret).
        case .basic:
            [
                "Authorization": "Basic " + Data((apiKey.contains(":") ? apiKey : "\(apiKey):").utf8).base64EncodedString(),
                "Accept": "application/json",
            ]
        case .header(let name): [name: apiKey, "Accept": "application/json"]
        // The transport adds the token it holds for `oauth`.
        case .oauth: ["Accept": "application/json"]
        }
    }
}
