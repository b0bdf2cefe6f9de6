/// One HTTP request of a polling pass, built by an `EventFeed`. `state` carries what the feed
/// needs to interpret the answer (the pass's newest id so far, the overlap start…).
public struct FeedRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    public var headers: [String: String]
    public var body: [UInt8]?
    public var state: [String: String]
    /// For APIs that take an OAuth token (PayPal): the transport gets one with these credentials,
    /// keeps it until it expires, and sends it as `Authorization: Bearer`.
    public var oauth: OAuthClientCredentials?

    public init(
        method: String = "GET",
        url: String,
        headers: [String: String] = [:],
        body: [UInt8]? = nil,
        state: [String: String] = [:],
        oauth: OAuthClientCredentials? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.state = state
        self.oauth = oauth
    }
}

/// A successful (2xx) answer to a `FeedRequest`.
public struct FeedResponse: Sendable {
    public var status: Int
    /// Lowercased names; `link` for `Link` pagination.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int = 200, headers: [String: String] = [:], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
