/// Decides what happens to a delivery after an attempt. Pure, so every branch is tested
/// without a database or a clock.
public struct DeliveryPolicy: Sendable {
    /// What the inbox should record after an attempt.
    public enum Decision: Sendable, Equatable {
        case done
        case retry(after: Duration)
        case dead
    }

    public var maxAttempts: Int
    public var schedule: RetrySchedule

    public init(maxAttempts: Int, schedule: RetrySchedule) {
        self.maxAttempts = maxAttempts
        self.schedule = schedule
    }

    /// - Parameters:
    ///   - outcome: what the attempt achieved.
    ///   - attempts: attempts made so far, the one just finished included.
    /// A target's `Retry-After` is honoured, but never past `backoff.max`: the route's own
    /// ceiling bounds how long an operator waits.
    public func decide(_ outcome: DeliveryOutcome, attempts: Int, using generator: inout some RandomNumberGenerator) -> Decision {
        switch outcome {
        case .succeeded:
            return .done
        case .rejected:
            return .dead
        case .failed(_, let retryAfter):
            if attempts >= maxAttempts { return .dead }
            let backoff = schedule.delay(afterFailedAttempts: attempts, using: &generator)
            guard let retryAfter else { return .retry(after: backoff) }
            return .retry(after: max(backoff, min(retryAfter, schedule.max)))
        }
    }
}
