/// The optional `[worker]` table: how much delivery work runs at once.
public struct WorkerSettings: Sendable {
    /// Deliveries in flight at once, across all routes.
    public var concurrency: Int
    /// How often the worker looks for due work when nothing woke it (changes made by the CLI).
    public var idlePoll: Duration

    public init(concurrency: Int = 16, idlePoll: Duration = .seconds(1)) {
        self.concurrency = concurrency
        self.idlePoll = idlePoll
    }
}
