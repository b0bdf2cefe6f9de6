import Foundation

/// The durable store that the receiver, the poller and the worker share.
///
/// Everything goes through this protocol so that another backend (a PostgreSQL inbox shared
/// by several agents) can replace SQLite without touching its users. Implementations must make
/// `store` durable before returning: the receiver acknowledges a webhook only after it.
public protocol Inbox: Sendable {
    /// Stores an event once per (source, event id) and creates its deliveries; a second
    /// arrival only counts. Concurrent calls may share one commit.
    func store(_ event: IncomingEvent) async throws -> StoreResult

    /// Leases up to `limit` due deliveries of `routes` to `owner` until `now + lease`, counting
    /// the attempt now: one that never reports back still used up an attempt.
    func claimDueDeliveries(
        routes: [String],
        limit: Int,
        now: Date,
        lease: Duration,
        owner: String
    ) async throws
        -> [ClaimedDelivery]

    /// Records an attempt's outcome and releases the lease; ignored if `owner` lost the lease.
    func recordAttempt(_ record: AttemptRecord) async throws

    /// Clears every lease, noting each as an interrupted attempt; called at start-up by the one
    /// agent that owns the inbox, so work interrupted by a crash runs again.
    func releaseAllLeases() async throws -> Int

    /// When the earliest unleased delivery of `routes` due after `after` becomes due, if any.
    /// Deliveries already due at `after` are left out: a claim at that time passed them over
    /// (held back by their order key), and waiting for them would spin.
    func nextDueDate(routes: [String], after: Date) async throws -> Date?

    func events(_ query: EventQuery) async throws -> [EventSummary]
    func eventDetails(id: String, source: String?) async throws -> [EventDetail]
    func deadLetters(_ filter: DeadLetterFilter, limit: Int) async throws -> [DeadLetter]
    /// Deletes matching dead letters; an operator's explicit act, never automatic.
    func purgeDeadLetters(_ filter: DeadLetterFilter) async throws -> Int
    /// Re-queues dead deliveries with their attempts reset; returns how many.
    func replay(_ selection: ReplaySelection, now: Date) async throws -> Int
    func status() async throws -> InboxStatus

    /// Stores one polled page and moves the source's cursor in the same transaction, so a
    /// crash between pages neither skips nor repeats one. A nil cursor leaves it unchanged.
    func storePage(_ events: [IncomingEvent], source: String, cursor: String?) async throws -> [StoreResult]
    func contains(source: String, dedupKey: String) async throws -> Bool
    func pollState(source: String) async throws -> PollState?
    func recordPass(source: String, _ pass: PollPassRecord) async throws
    /// Deletes up to `limit` events received before `cutoff` whose deliveries are all done,
    /// with their deliveries and attempts; returns how many. One short transaction per call.
    func prune(receivedBefore cutoff: Date, limit: Int) async throws -> Int
    /// Throws unless a write transaction can commit now: what `/readyz` checks.
    func checkWritable() async throws
    /// The last time a webhook (not a poll) brought an event of `source`.
    func lastWebhookArrival(source: String) async throws -> Date?
}

extension Inbox {
    /// Every dead letter, newest first.
    public func deadLetters(limit: Int) async throws -> [DeadLetter] {
        try await deadLetters(DeadLetterFilter(), limit: limit)
    }
}
