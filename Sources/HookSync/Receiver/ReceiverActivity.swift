import Synchronization

/// What the receiver is doing, read by the delivery worker to yield to it (``DrainBudget``):
/// the webhooks in flight and when the last one arrived.
///
/// Atomics rather than an actor: the receiver records every request, and an actor hop per
/// request would cost more than the record.
public final class ReceiverActivity: Sendable {
    private let inFlight = Atomic<Int>(0)
    /// Nanoseconds since `origin` at the last arrival; -1 before the first.
    private let lastArrival = Atomic<Int64>(-1)
    private let origin: ContinuousClock.Instant
    private let now: @Sendable () -> ContinuousClock.Instant

    /// - Parameter now: the clock's reading; tests pass their own.
    public init(now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.now = now
        origin = now()
    }

    /// A webhook arrived; pair with ``finished()``.
    public func began() {
        inFlight.wrappingAdd(1, ordering: .relaxed)
        lastArrival.store(Self.nanoseconds(now() - origin), ordering: .relaxed)
    }

    /// The webhook has been answered.
    public func finished() {
        inFlight.wrappingSubtract(1, ordering: .relaxed)
    }

    /// Webhooks being received or stored now, and how long ago the last one arrived (nil if
    /// none has).
    public func snapshot() -> (inFlight: Int, sinceLastArrival: Duration?) {
        let last = lastArrival.load(ordering: .relaxed)
        let since = last < 0 ? nil : (now() - origin) - .nanoseconds(last)
        return (inFlight.load(ordering: .relaxed), since)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
