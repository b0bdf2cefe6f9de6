/// The optional `[worker]` table: how much delivery work runs at once.
public struct WorkerSettings: Sendable {
    /// Deliveries in flight at once, across all routes.
    public var concurrency: Int
    /// How often the worker looks for due work when nothing woke it (changes made by the CLI).
    public var idlePoll: Duration
    /// How the worker yields its slots to the receiver while webhooks arrive. Not configurable:
    /// the receiver coming first is a promise, not a tuning knob.
    public var drainBudget: DrainBudget

    public init(concurrency: Int = 16, idlePoll: Duration = .seconds(1), drainBudget: DrainBudget = DrainBudget()) {
        self.concurrency = concurrency
        self.idlePoll = idlePoll
        self.drainBudget = drainBudget
    }
}
