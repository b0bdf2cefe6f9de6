public import Foundation

/// Whether a source can still repair its gap from the provider's API: providers keep events for
/// a limited time (Stripe 30 days, Square 28, GitHub 3), so a source that has not synced for
/// longer has lost a range that polling can no longer recover.
public struct RetentionGuard: Sendable, Equatable {
    public enum Verdict: Sendable, Equatable {
        case ok
        /// Within 20% of the limit: sync soon or events will become unrecoverable.
        case nearLimit(age: Duration, limit: Duration)
        /// Events between these times are past the API's retention and cannot be polled.
        case lost(from: Date, until: Date)
    }

    public var retention: Duration

    public init(retention: Duration) {
        self.retention = retention
    }

    /// - Parameter syncedUntil: every event before this time has been seen.
    public func check(syncedUntil: Date, now: Date) -> Verdict {
        let age = now.timeIntervalSince(syncedUntil)
        let limit = retention.seconds
        if age > limit { return .lost(from: syncedUntil, until: now.addingTimeInterval(-limit)) }
        if age > limit * 0.8 { return .nearLimit(age: .seconds(Int(age)), limit: retention) }
        return .ok
    }
}
