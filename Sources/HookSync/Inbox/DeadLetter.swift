import Foundation

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
}

/// Which dead deliveries `hooksync replay` re-queues.
public enum ReplaySelection: Sendable {
    /// The dead deliveries of these events (provider ids), optionally within one source.
    case events([String], source: String?)
    case allDead
    case matching(DeadLetterFilter)

    var filter: DeadLetterFilter {
        switch self {
        case .events(let ids, let source): DeadLetterFilter(events: ids, source: source)
        case .allDead: DeadLetterFilter()
        case .matching(let filter): filter
        }
    }
}
