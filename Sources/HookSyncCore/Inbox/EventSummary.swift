public import Foundation

/// One line of `hooksync events`: an event and the state of its deliveries taken together.
public struct EventSummary: Sendable, Codable, Equatable {
    public var source: String
    public var id: String
    public var type: String
    public var state: DeliveryState
    public var origin: EventOrigin
    /// Attempts over all of the event's deliveries.
    public var attempts: Int
    public var arrivals: Int
    public var receivedAt: Date
    public var occurredAt: Date?

    enum CodingKeys: String, CodingKey {
        case source, id, type, state, origin, attempts, arrivals
        case receivedAt = "received_at"
        case occurredAt = "occurred_at"
    }

    public init(
        source: String,
        id: String,
        type: String,
        state: DeliveryState,
        origin: EventOrigin,
        attempts: Int,
        arrivals: Int,
        receivedAt: Date,
        occurredAt: Date? = nil
    ) {
        self.source = source
        self.id = id
        self.type = type
        self.state = state
        self.origin = origin
        self.attempts = attempts
        self.arrivals = arrivals
        self.receivedAt = receivedAt
        self.occurredAt = occurredAt
    }
}

/// Filters for `hooksync events`.
public struct EventQuery: Sendable {
    public var source: String?
    public var state: DeliveryState?
    public var limit: Int

    public init(source: String? = nil, state: DeliveryState? = nil, limit: Int = 50) {
        self.source = source
        self.state = state
        self.limit = limit
    }
}
