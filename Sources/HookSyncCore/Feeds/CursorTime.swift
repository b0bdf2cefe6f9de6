import Foundation

/// Cursors that are times (Square, Shopify, `Link`-paged generic APIs): kept as the provider
/// wrote them, compared as instants, and re-read with an overlap because such APIs do not say
/// whether their bound is inclusive or how events of one instant are ordered.
enum CursorTime {
    /// The later of two RFC 3339 times; a time that does not parse never wins.
    static func later(_ current: String?, _ candidate: String?) -> String? {
        guard let candidate, let date = TimestampFormat.rfc3339.parse(candidate) else { return current }
        guard let current, let known = TimestampFormat.rfc3339.parse(current) else { return candidate }
        return date > known ? candidate : current
    }

    /// Where a pass starts: the cursor minus the overlap, or `since` without a cursor.
    static func start(cursor: String?, since: Date, overlap: Duration) -> Date {
        guard let cursor, let newest = TimestampFormat.rfc3339.parse(cursor) else { return since }
        return newest.addingTimeInterval(-overlap.seconds)
    }
}
