public import Foundation

/// Everything the inbox knows about one event: the answer to "what happened to event X?".
public struct EventDetail: Sendable, Codable {
    public var summary: EventSummary
    /// What later arrivals were matched on; differs from the id for some providers.
    public var dedupKey: String
    public var lastArrivedAt: Date
    public var headers: [String: String]
    public var body: String
    public var deliveries: [DeliveryDetail]

    enum CodingKeys: String, CodingKey {
        case summary = "event"
        case dedupKey = "dedup_key"
        case lastArrivedAt = "last_arrived_at"
        case headers, body, deliveries
    }

    public init(
        summary: EventSummary,
        dedupKey: String,
        lastArrivedAt: Date,
        headers: [String: String],
        body: String,
        deliveries: [DeliveryDetail]
    ) {
        self.summary = summary
        self.dedupKey = dedupKey
        self.lastArrivedAt = lastArrivedAt
        self.headers = headers
        self.body = body
        self.deliveries = deliveries
    }
}

/// One delivery of an event to a route, with its attempt history.
public struct DeliveryDetail: Sendable, Codable {
    public var id: Int64
    public var route: String
    public var state: DeliveryState
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var lastError: String?
    public var leased: Bool
    public var replays: Int
    public var history: [AttemptDetail]

    enum CodingKeys: String, CodingKey {
        case id, route, state, attempts, leased, replays, history
        case nextAttemptAt = "next_attempt_at"
        case lastError = "last_error"
    }

    public init(
        id: Int64,
        route: String,
        state: DeliveryState,
        attempts: Int,
        nextAttemptAt: Date? = nil,
        lastError: String? = nil,
        leased: Bool,
        replays: Int,
        history: [AttemptDetail]
    ) {
        self.id = id
        self.route = route
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.leased = leased
        self.replays = replays
        self.history = history
    }
}

/// One past attempt of a delivery.
public struct AttemptDetail: Sendable, Codable, Equatable {
    public var startedAt: Date
    public var durationMs: Int
    public var outcome: String
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case outcome, error
        case startedAt = "started_at"
        case durationMs = "duration_ms"
    }

    public init(
        startedAt: Date,
        durationMs: Int,
        outcome: String,
        error: String? = nil
    ) {
        self.startedAt = startedAt
        self.durationMs = durationMs
        self.outcome = outcome
        self.error = error
    }
}
