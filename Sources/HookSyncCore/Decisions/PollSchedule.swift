public import Foundation

/// When a source polls: at a fixed interval (`"every 5m"`) or on a cron expression
/// (`"*/5 * * * *"`), each run delayed by a random jitter so that many agents started
/// together do not hit a provider's API in the same second.
public struct PollSchedule: Sendable, Hashable, CustomStringConvertible {
    public enum Rule: Sendable, Hashable {
        case every(Duration)
        case cron(CronExpression)
    }

    public var rule: Rule
    /// The largest random delay added to each run.
    public var jitter: Duration

    static let expectation = "\"every <duration>\" such as \"every 5m\", or " + CronExpression.expectation

    public init(rule: Rule, jitter: Duration? = nil) {
        self.rule = rule
        switch rule {
        case .every(let interval): self.jitter = jitter ?? min(interval / 10, .seconds(30))
        case .cron: self.jitter = jitter ?? .seconds(10)
        }
    }

    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("every ") {
            guard let interval = ConfigDuration.parse(String(trimmed.dropFirst("every ".count))), interval > .zero else { return nil }
            self.init(rule: .every(interval))
        } else if let cron = CronExpression(trimmed) {
            self.init(rule: .cron(cron))
        } else {
            return nil
        }
    }

    public var description: String {
        switch rule {
        case .every(let interval): "every \(ConfigDuration.format(interval))"
        case .cron(let cron): cron.description
        }
    }

    /// The next run after `date`, before jitter.
    public func next(after date: Date, calendar: Calendar = .current) -> Date {
        switch rule {
        case .every(let interval):
            return date.addingTimeInterval(interval.seconds)
        case .cron(let cron):
            return cron.next(after: date, calendar: calendar) ?? date.addingTimeInterval(365 * 86400)
        }
    }

    /// The next run with a jitter drawn from `generator`, uniformly in `0...jitter`.
    public func next(after date: Date, calendar: Calendar = .current, using generator: inout some RandomNumberGenerator) -> Date {
        let spread = jitter.seconds
        let delay = spread > 0 ? Double.random(in: 0...spread, using: &generator) : 0
        return next(after: date, calendar: calendar).addingTimeInterval(delay)
    }
}
