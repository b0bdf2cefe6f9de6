/// Exponential backoff with full jitter, bounded by `base` and `max`.
///
/// The n-th retry waits a uniformly random time in `[base, min(max, base·2ⁿ⁻¹)]`. Full jitter
/// spreads retries of many failed deliveries so a recovering endpoint is not hit by a
/// thundering herd, while `base` keeps a lower bound so a retry is never immediate.
public struct RetrySchedule: Sendable, Equatable {
    public var base: Duration
    public var max: Duration

    public init(base: Duration, max: Duration) {
        self.base = base
        self.max = max
    }

    /// The ceiling of the wait after `failedAttempts` failures (1 for the first retry).
    public func ceiling(afterFailedAttempts failedAttempts: Int) -> Duration {
        let exponent = Swift.max(0, Swift.min(failedAttempts - 1, 62))
        let baseMs = Swift.max(base.milliseconds, 1)
        let (scaled, overflow) = baseMs.multipliedReportingOverflow(by: Int64(1) << exponent)
        let capped = overflow ? max.milliseconds : Swift.min(scaled, max.milliseconds)
        return .milliseconds(Swift.max(capped, base.milliseconds))
    }

    /// The wait before the next attempt, drawn with `generator`.
    public func delay(afterFailedAttempts failedAttempts: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let low = base.milliseconds
        let high = ceiling(afterFailedAttempts: failedAttempts).milliseconds
        guard high > low else { return .milliseconds(low) }
        return .milliseconds(Int64.random(in: low...high, using: &generator))
    }
}
