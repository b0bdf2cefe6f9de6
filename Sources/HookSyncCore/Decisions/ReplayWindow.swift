public import Foundation

/// Which one-time values (Mailgun's signature `token`) a source has already accepted.
///
/// A value is held for as long as its request's timestamp could still pass the replay window;
/// after that the timestamp check refuses a replay by itself, so memory stays bounded by the
/// request rate times the window. A value is claimed before its event is stored and released
/// if the store fails, so two copies racing in cannot both pass and a retry after a failure can.
public struct ReplayWindow: Sendable {
    public var lifetime: Duration
    private var seen: [String: Date] = [:]
    private var nextSweep: Date = .distantPast

    public init(lifetime: Duration) {
        self.lifetime = lifetime
    }

    /// True, and remembered, if `value` has not been claimed within the window.
    public mutating func claim(_ value: String, now: Date) -> Bool {
        sweep(now: now)
        if let expiry = seen[value], expiry > now { return false }
        seen[value] = now.addingTimeInterval(lifetime.seconds)
        return true
    }

    /// Forgets a claim whose request was not acknowledged, so the provider's retry is let in.
    public mutating func release(_ value: String) {
        seen[value] = nil
    }

    public var count: Int { seen.count }

    /// Drops expired values, at most once per lifetime so a busy source does not pay for it on each request.
    private mutating func sweep(now: Date) {
        guard now >= nextSweep else { return }
        seen = seen.filter { $0.value > now }
        nextSweep = now.addingTimeInterval(lifetime.seconds)
    }
}
