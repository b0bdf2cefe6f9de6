public import Foundation

/// One event with all the inbox keeps of it, as `hooksync inbox copy` moves it from one
/// backend to another: so that dedup, pending work, attempt histories and dead letters carry
/// on where they were.
public struct ExportedEvent: Sendable, Equatable {
    public var source: String
    public var eventID: String
    public var dedupKey: String
    public var type: String
    public var occurredAt: Date?
    public var receivedAt: Date
    public var origin: EventOrigin
    public var arrivals: Int
    public var lastArrivedAt: Date
    /// The stored headers, a JSON object, as the backends keep them.
    public var headers: String
    public var body: [UInt8]
    public var deliveries: [ExportedDelivery]
    /// Still waiting for its webhook (``IncomingEvent/awaitsWebhook``): judged in the target.
    public var awaitsWebhook: Bool

    public init(
        source: String,
        eventID: String,
        dedupKey: String,
        type: String,
        occurredAt: Date?,
        receivedAt: Date,
        origin: EventOrigin,
        arrivals: Int,
        lastArrivedAt: Date,
        headers: String,
        body: [UInt8],
        deliveries: [ExportedDelivery],
        awaitsWebhook: Bool = false
    ) {
        self.source = source
        self.eventID = eventID
        self.dedupKey = dedupKey
        self.type = type
        self.occurredAt = occurredAt
        self.receivedAt = receivedAt
        self.origin = origin
        self.arrivals = arrivals
        self.lastArrivedAt = lastArrivedAt
        self.headers = headers
        self.body = body
        self.deliveries = deliveries
        self.awaitsWebhook = awaitsWebhook
    }
}

/// One delivery of an ``ExportedEvent``, without its lease: a copy is made from a stopped agent.
public struct ExportedDelivery: Sendable, Equatable {
    public var route: String
    public var state: DeliveryState
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    public var replays: Int
    public var updatedAt: Date
    public var orderKey: String?
    public var history: [AttemptDetail]
    /// When, after how many attempts and why it was dead-lettered, if it is a dead letter.
    public var deadLetter: DeadLetterRecord?

    public init(
        route: String,
        state: DeliveryState,
        attempts: Int,
        nextAttemptAt: Date,
        lastError: String?,
        replays: Int,
        updatedAt: Date,
        orderKey: String?,
        history: [AttemptDetail],
        deadLetter: DeadLetterRecord?
    ) {
        self.route = route
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.replays = replays
        self.updatedAt = updatedAt
        self.orderKey = orderKey
        self.history = history
        self.deadLetter = deadLetter
    }
}

public struct DeadLetterRecord: Sendable, Equatable {
    public var failedAt: Date
    public var attempts: Int
    public var lastError: String

    public init(failedAt: Date, attempts: Int, lastError: String) {
        self.failedAt = failedAt
        self.attempts = attempts
        self.lastError = lastError
    }
}
