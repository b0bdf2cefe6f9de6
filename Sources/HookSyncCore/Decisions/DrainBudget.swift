/// How many of the worker's slots a drain may fill: all of them while no webhook arrives, a
/// small share while the receiver is busy, so a backlog never costs an arriving webhook its
/// latency.
///
/// On a small host the drain and the receiver share the same cores, threads and inbox writer,
/// and the scheduler knows nothing of which matters more: a drain running flat out (64 forwards,
/// or commands being started) made a webhook's p99 five times its idle value. Yielding is the
/// worker's job, by design, rather than an operator's (lowering `concurrency` would slow every
/// drain, busy or not). The share left keeps the backlog moving, never stopped.
public struct DrainBudget: Sendable, Equatable {
    /// How long after the last webhook began the receiver still counts as busy: a steady flow
    /// keeps the drain to its share, and the end of a burst frees it within this time.
    public var calm: Duration
    /// The drain keeps `1 / busyDivisor` of its slots (at least one) while the receiver is busy.
    public var busyDivisor: Int

    public init(calm: Duration = .milliseconds(250), busyDivisor: Int = 8) {
        self.calm = calm
        self.busyDivisor = busyDivisor
    }

    /// The slots the drain may fill now, of `capacity`.
    /// - Parameters:
    ///   - sinceLastWebhook: how long ago the last webhook arrived; nil if none ever did.
    ///   - webhooksInFlight: webhooks being received or stored right now.
    public func slots(capacity: Int, sinceLastWebhook: Duration?, webhooksInFlight: Int) -> Int {
        let busy = webhooksInFlight > 0 || sinceLastWebhook.map { $0 < calm } ?? false
        guard busy else { return capacity }
        return min(capacity, max(1, capacity / max(1, busyDivisor)))
    }
}
