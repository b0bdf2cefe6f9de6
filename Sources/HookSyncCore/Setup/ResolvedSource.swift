public import HTTPTypes

/// A configured source joined with its provider and its secrets, ready to verify requests.
public struct ResolvedSource: Sendable {
    public var config: SourceConfig
    public var provider: ProviderDefinition
    public var scheme: any SignatureScheme
    public var secrets: [Secret]
    /// The token a provider's `GET` handshake must carry (Meta's `hub.verify_token`).
    public var verifyToken: Secret?
    /// The provider's event API for sources that poll; nil in webhook mode.
    public var feed: (any EventFeed)?

    /// What of a body the receiver and poller read: the provider's fields, its challenge reply
    /// and the `order_by` of the routes that may take this source's events.
    public var projection: JSONProjection

    public var name: String { config.name }

    public init(
        config: SourceConfig,
        provider: ProviderDefinition,
        scheme: any SignatureScheme,
        secrets: [Secret],
        verifyToken: Secret? = nil,
        feed: (any EventFeed)?,
        routes: [RouteConfig]
    ) {
        self.config = config
        self.provider = provider
        self.scheme = scheme
        self.secrets = secrets
        self.verifyToken = verifyToken
        self.feed = feed
        let orderBy = routes.filter { $0.takes(source: config.name) }.compactMap(\.orderBy)
        // A batch's events are stored element by element: the parse must build them whole.
        projection =
            provider.event.batch.isEmpty
            ? JSONProjection(
                provider.event.pointers + (provider.challenge?.pointers ?? []) + orderBy.flatMap(\.pointers)
                    + (scheme.replayKey.flatMap { if case .body(let pointer) = $0 { [pointer] } else { nil } } ?? [])
            ) : .everything
    }

    /// The request as its signature sees it. The signed URL is the configured `webhook_url`
    /// plus the query string the provider sent, unless `webhook_url` already has a query.
    public func webhookRequest(headers: HTTPFields, body: [UInt8], query: String?) -> WebhookRequest {
        var url = config.webhookURL
        if let base = url, let query, !query.isEmpty, !base.contains("?") {
            url = base + "?" + query
        }
        return WebhookRequest(headers: headers, body: body, url: url, webhookID: config.webhookID)
    }
}
