import Foundation

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
    }

    public var sources: [SourceCounts]
    public var routes: [RouteCounts]
}
