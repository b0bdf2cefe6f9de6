import HTTPTypes

/// A configured source joined with its provider and its secrets, ready to verify requests.
public struct ResolvedSource: Sendable {
    public var config: SourceConfig
    public var provider: ProviderDefinition
    public var scheme: any SignatureScheme
    public var secrets: [Secret]
    /// The provider's event API for sources that poll; nil in webhook mode.
    public var feed: (any EventFeed)?

    public var name: String { config.name }

    /// The request as its signature sees it. The signed URL is the configured `webhook_url`
    /// plus the query string the provider sent, unless `webhook_url` already has a query.
    public func webhookRequest(headers: HTTPFields, body: [UInt8], query: String?) -> WebhookRequest {
        var url = config.webhookURL
        if let base = url, let query, !query.isEmpty, !base.contains("?") {
            url = base + "?" + query
        }
        return WebhookRequest(headers: headers, body: body, url: url)
    }
}
