public import Foundation
public import HTTPTypes

/// What one page of an event API yields.
public struct FeedPage: Sendable {
    /// Events in the order to store them (oldest first where the API allows).
    public var events: [PolledEvent]
    /// Events known only by their dedup key so far: each is fetched with its request unless the
    /// inbox already has it (GitHub lists deliveries, the payload needs a second call).
    public var candidates: [Candidate]
    /// The cursor to persist with this page's events, or nil to keep the current one until a
    /// later page (APIs that list newest first can only move it at the end of a pass).
    public var cursor: String?
    /// The next page's request; nil when the pass has caught up.
    public var next: FeedRequest?

    public struct Candidate: Sendable {
        public var dedupKey: String
        public var request: FeedRequest
        /// True to ask the provider to redeliver instead of fetching the payload (GitHub's
        /// `redeliver = true` on a public host); the webhook then brings the event.
        public var redeliver: Bool
    }

    public init(events: [PolledEvent] = [], candidates: [Candidate] = [], cursor: String? = nil, next: FeedRequest? = nil) {
        self.events = events
        self.candidates = candidates
        self.cursor = cursor
        self.next = next
    }
}

/// An event read from a provider's API: the provider's request as it would have arrived by
/// webhook (headers and JSON body), so that the provider file's mapping gives it the same id,
/// type and dedup key as its webhook.
public struct PolledEvent: Sendable {
    public var headers: HTTPFields
    public var body: [UInt8]
    /// When the provider tried to deliver it, where the API says and the body does not
    /// (GitHub's `delivered_at`): missed-webhook detection measures the grace period from it.
    public var occurredAt: Date?

    public init(headers: HTTPFields = HTTPFields(), body: [UInt8], occurredAt: Date? = nil) {
        self.headers = headers
        self.body = body
        self.occurredAt = occurredAt
    }

    public init(headers: [String: String], json: Any, occurredAt: Date? = nil) throws {
        var fields = HTTPFields()
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        self.init(
            headers: fields,
            body: try JSONTree.serialize(json) ?? { throw JSONTree.Unrepresentable() }(),
            occurredAt: occurredAt
        )
    }
}

/// An answer the feed cannot read: the provider changed its format or a proxy answered.
public struct FeedError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
