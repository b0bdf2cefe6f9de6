/// How many of its slots each route's drain may fill: all of them while no webhook arrives, a
/// small share while the receiver is busy, so a backlog never costs an arriving webhook its
/// latency.
///
/// On a small host the drain and the receiver share the same cores, threads and inbox writer,
/// and the scheduler knows nothing of which matters more: a drain running flat out (64 forwards,
/// or commands being started) made a webhook's p99 five times its idle value. Yielding is the
/// worker's job, by design, rather than an operator's (lowering `concurrency` would slow every
/// drain, busy or not). The share is each route's own, at least one slot: a route whose target
/// hangs holds only its own share, never another route's (routes stay independent), and every
/// backlog keeps moving.
public struct DrainBudget: Sendable, Equatable {
    /// How long after the last webhook began the receiver still counts as busy: a steady flow
    /// keeps the drain to its share, and the end of a burst frees it within this time.
    public var calm: Duration
    /// A route keeps `1 / busyDivisor` of its slots (at least one) while the receiver is busy.
    public var busyDivisor: Int

    public init(calm: Duration = .milliseconds(250), busyDivisor: Int = 8) {
        self.calm = calm
        self.busyDivisor = busyDivisor
    }

    /// Whether webhooks are arriving: one is being received or stored, or the last began less
    /// than `calm` ago (nil: none ever did).
    public func receiverIsBusy(sinceLastWebhook: Duration?, webhooksInFlight: Int) -> Bool {
        webhooksInFlight > 0 || sinceLastWebhook.map { $0 < calm } ?? false
    }

    /// The slots a route may fill now, of its `limit`.
    public func slots(of limit: Int, receiverBusy: Bool) -> Int {
        guard receiverBusy else { return limit }
        return min(limit, max(1, limit / max(1, busyDivisor)))
    }
}
