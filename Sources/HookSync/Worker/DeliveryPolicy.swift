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
    ///   - succeeded: whether the attempt succeeded.
    ///   - attempts: attempts made so far, the one just finished included.
    public func decide(succeeded: Bool, attempts: Int, using generator: inout some RandomNumberGenerator) -> Decision {
        if succeeded { return .done }
        if attempts >= maxAttempts { return .dead }
        return .retry(after: schedule.delay(afterFailedAttempts: attempts, using: &generator))
    }
}
