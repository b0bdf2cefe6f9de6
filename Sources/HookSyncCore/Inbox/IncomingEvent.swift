public import Foundation

/// A verified event on its way into the inbox, with the routes that want it.
public struct IncomingEvent: Sendable {
    public var source: String
    /// The provider's event id, as operators look it up.
    public var eventID: String
    /// What makes two arrivals one event within a source; often the event id.
    public var dedupKey: String
    public var type: String
    public var occurredAt: Date?
    public var receivedAt: Date
    public var origin: EventOrigin
    /// Headers kept for later verification or processing, lowercased names.
    public var headers: [String: String]
    public var body: [UInt8]
    /// Routes selected for this event when it is first stored; one delivery each.
    public var routes: [String]
    /// For routes that order by a key: the event's key for that route.
    public var orderKeys: [String: String] = [:]
    /// A polled event of a hybrid source whose webhook may still come: stored, it waits for
    /// one until ``Inbox/judgeMissedWebhooks(source:occurredBy:)`` judges it missed. Needs a
    /// time (`occurredAt`) to be judged by.
    public var awaitsWebhook = false

    public init(
        source: String,
        eventID: String,
        dedupKey: String? = nil,
        type: String,
        occurredAt: Date?,
        receivedAt: Date,
        origin: EventOrigin,
        headers: [String: String],
        body: [UInt8],
        routes: [String],
        orderKeys: [String: String] = [:],
        awaitsWebhook: Bool = false
    ) {
        self.source = source
        self.eventID = eventID
        self.dedupKey = dedupKey ?? eventID
        self.type = type
        self.occurredAt = occurredAt
        self.receivedAt = receivedAt
        self.origin = origin
        self.headers = headers
        self.body = body
        self.routes = routes
        self.orderKeys = orderKeys
        self.awaitsWebhook = awaitsWebhook && occurredAt != nil
    }
}

/// What storing an event did.
public enum StoreResult: Sendable, Equatable {
    /// First arrival: stored with its deliveries.
    case stored
    /// Already in the inbox: only its arrival count changed.
    case duplicate
}
