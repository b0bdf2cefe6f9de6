public import Foundation

/// Which dead deliveries `hooksync dlq`, `replay` and `dlq purge` act on; every field narrows.
public struct DeadLetterFilter: Sendable, Equatable {
    /// Provider event ids or dedup keys.
    public var events: [String]
    public var source: String?
    public var route: String?
    /// A type glob such as `invoice.*`.
    public var type: EventTypeGlob?
    /// Dead-lettered at or after.
    public var since: Date?
    /// Dead-lettered before.
    public var before: Date?

    public init(
        events: [String] = [],
        source: String? = nil,
        route: String? = nil,
        type: EventTypeGlob? = nil,
        since: Date? = nil,
        before: Date? = nil
    ) {
        self.events = events
        self.source = source
        self.route = route
        self.type = type
        self.since = since
        self.before = before
    }
}
