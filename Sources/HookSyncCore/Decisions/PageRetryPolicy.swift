public import Foundation

/// How long to wait before fetching a failed page again. A page is never skipped: polling
/// retries it until it succeeds, backing off exponentially with full jitter, and never sooner
/// than the provider's `Retry-After`.
public struct PageRetryPolicy: Sendable, Equatable {
    public var base: Duration
    public var max: Duration

    public init(base: Duration = .seconds(1), max: Duration = .seconds(300)) {
        self.base = base
        self.max = max
    }

    /// The delay after the `failures`-th consecutive failure of one page.
    public func delay(afterFailures failures: Int, retryAfter: Duration?, using generator: inout some RandomNumberGenerator) -> Duration {
        let schedule = RetrySchedule(base: base, max: self.max)
        let backoff = schedule.delay(afterFailedAttempts: Swift.max(1, failures), using: &generator)
        guard let retryAfter else { return backoff }
        return Swift.max(backoff, retryAfter)
    }

    /// Parses `Retry-After`: delay seconds or an HTTP date.
    public static func retryAfter(_ value: String?, now: Date) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value) { return .seconds(Swift.max(0, seconds)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .seconds(Swift.max(0, Int(date.timeIntervalSince(now).rounded(.up))))
    }
}
