import HTTPTypes

/// The parts of an HTTP request that signatures cover: raw body bytes, exactly as received,
/// and the headers. Never re-serialised before verification.
public struct WebhookRequest: Sendable {
    public var headers: HTTPFields
    public var body: [UInt8]

    public init(headers: HTTPFields, body: [UInt8]) {
        self.headers = headers
        self.body = body
    }
}
