public import HTTPTypes

/// The parts of an HTTP request that signatures cover: raw body bytes, exactly as received,
/// the headers, and for providers that sign it, the public URL they called.
public struct WebhookRequest: Sendable {
    public var headers: HTTPFields
    public var body: [UInt8]
    /// The source's `webhook_url` with the request's query string: what Square and Twilio sign.
    /// A proxy in front of hooksync changes host and path, so it cannot come from the request.
    public var url: String?
    /// The source's `webhook_id`, for providers that sign the id of the webhook they deliver to (PayPal).
    public var webhookID: String?

    public init(headers: HTTPFields, body: [UInt8], url: String? = nil, webhookID: String? = nil) {
        self.headers = headers
        self.body = body
        self.url = url
        self.webhookID = webhookID
    }
}
