public import Foundation

/// Counts for `hooksync status`: per source, events by state; per route, the queue.
public struct InboxStatus: Sendable, Codable {
    public struct SourceCounts: Sendable, Codable {
        public var source: String
        public var events: Int
        public var byState: [String: Int]
        public var lastReceivedAt: Date?
        /// Events by how they first arrived: `webhook` or `poll`.
        public var byOrigin: [String: Int] = [:]
        /// Arrivals of events already stored (webhook retries, polling overlaps), dropped.
        public var duplicates = 0

        enum CodingKeys: String, CodingKey {
            case source, events, duplicates
            case byState = "by_state"
            case lastReceivedAt = "last_received_at"
            case byOrigin = "by_origin"
        }

        public init(
            source: String,
            events: Int,
            byState: [String: Int],
            lastReceivedAt: Date? = nil,
            byOrigin: [String: Int] = [:]
        ) {
            self.source = source
            self.events = events
            self.byState = byState
            self.lastReceivedAt = lastReceivedAt
            self.byOrigin = byOrigin
        }
    }

    public struct RouteCounts: Sendable, Codable {
        public var route: String
        public var pending: Int
        public var retrying: Int
        public var dead: Int
        public var done: Int
        public var oldestPendingAt: Date?

        enum CodingKeys: String, CodingKey {
            case route, pending, retrying, dead, done
            case oldestPendingAt = "oldest_pending_at"
        }

        public init(
            route: String,
            pending: Int,
            retrying: Int,
            dead: Int,
            done: Int,
            oldestPendingAt: Date? = nil
        ) {
            self.route = route
            self.pending = pending
            self.retrying = retrying
            self.dead = dead
            self.done = done
            self.oldestPendingAt = oldestPendingAt
        }
    }

    public var sources: [SourceCounts]
    public var routes: [RouteCounts]

    public init(
        sources: [SourceCounts],
        routes: [RouteCounts]
    ) {
        self.sources = sources
        self.routes = routes
    }
}

extension InboxStatus.RouteCounts {
    /// Sets the count of deliveries in `state`; what both backends fold their rows with.
    public mutating func set(_ state: DeliveryState, _ count: Int) {
        switch state {
        case .pending: pending = count
        case .retrying: retrying = count
        case .dead: dead = count
        case .done: done = count
        }
    }
}
