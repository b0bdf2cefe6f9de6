public import Foundation

/// A delivery that exhausted its attempts, as `hooksync dlq` lists it.
public struct DeadLetter: Sendable, Codable {
    public var deliveryID: Int64
    public var source: String
    public var id: String
    public var type: String
    public var route: String
    public var attempts: Int
    public var lastError: String
    public var failedAt: Date
    public var origin: EventOrigin
    public var receivedAt: Date
    public var state: DeliveryState = .dead

    enum CodingKeys: String, CodingKey {
        case source, id, type, route, attempts, origin, state
        case deliveryID = "delivery_id"
        case lastError = "last_error"
        case failedAt = "failed_at"
        case receivedAt = "received_at"
    }

    public init(
        deliveryID: Int64,
        source: String,
        id: String,
        type: String,
        route: String,
        attempts: Int,
        lastError: String,
        failedAt: Date,
        origin: EventOrigin,
        receivedAt: Date,
        state: DeliveryState = .dead
    ) {
        self.deliveryID = deliveryID
        self.source = source
        self.id = id
        self.type = type
        self.route = route
        self.attempts = attempts
        self.lastError = lastError
        self.failedAt = failedAt
        self.origin = origin
        self.receivedAt = receivedAt
        self.state = state
    }
}

/// Which dead deliveries `hooksync replay` re-queues.
public enum ReplaySelection: Sendable {
    /// The dead deliveries of these events (provider ids), optionally within one source.
    case events([String], source: String?)
    case allDead
    case matching(DeadLetterFilter)

    /// The dead letters this selection names, as a filter every backend applies alike.
    package var filter: DeadLetterFilter {
        switch self {
        case .events(let ids, let source): DeadLetterFilter(events: ids, source: source)
        case .allDead: DeadLetterFilter()
        case .matching(let filter): filter
        }
    }
}
