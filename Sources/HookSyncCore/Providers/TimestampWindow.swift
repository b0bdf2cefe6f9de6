public import Foundation

/// How far a signed timestamp may be from the receiver's clock: the replay window.
public struct TimestampWindow: Sendable, Hashable {
    /// Zero turns the check off, as Stripe's libraries do with a tolerance of 0.
    public var tolerance: Duration
    /// Stripe accepts timestamps from the future; Standard Webhooks and Slack do not.
    public var acceptsFuture: Bool

    public init(tolerance: Duration, acceptsFuture: Bool = false) {
        self.tolerance = tolerance
        self.acceptsFuture = acceptsFuture
    }

    public func check(_ timestamp: Date, now: Date) throws(SignatureFailure) {
        guard tolerance > .zero else { return }
        let age = now.timeIntervalSince(timestamp)
        let limit = tolerance.seconds
        if age > limit { throw .stale(seconds: Int(age.rounded(.down))) }
        if !acceptsFuture && -age > limit { throw .future(seconds: Int((-age).rounded(.down))) }
    }
}
