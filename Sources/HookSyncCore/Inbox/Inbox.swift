public import Foundation

/// The durable store that the receiver, the poller and the worker share: the one seam between
/// the agent and its storage.
///
/// Everything goes through this protocol, opened by `InboxFactory`, so a backend shared by
/// several agents (PostgreSQL) can replace the SQLite file without touching its users. The
/// contract below is written for any number of agents on one inbox, each with its own agent id;
/// the contract suite in the tests checks it for every backend.
///
/// ## Durability
/// `store`, `storePage`, `recordAttempt`, `replay` and `purgeDeadLetters` return only after
/// their changes are durable (a synced commit): the receiver acknowledges a webhook after
/// `store` returns, and nothing acknowledged may be lost by a crash or a power cut.
///
/// ## Concurrency
/// - Concurrent `store` calls, from one agent or several, may share a commit; each caller gets
///   its own result. For one (source, dedup key), exactly one call anywhere gets `.stored`;
///   every other gets `.duplicate` and only adds to the event's arrival count, which must add
///   up across callers (a backend may fold counts in later, but never lose them on a clean stop).
/// - A due delivery is leased by exactly one `claimDueDeliveries` call at a time, across agents.
///   Among deliveries of one route sharing an order key, at most one is leased at a time, and
///   only the earliest unfinished one (by ``OrderingGate``).
/// - `storePage` commits a page and its cursor together, so a page is either stored with its
///   cursor or not at all; two passes storing the same events store each once.
///
/// ## Leases
/// A lease names its owner (the agent id) and its expiry. Expiry is measured on the backend's
/// clock where it has one (a database server's); the SQLite backend, on one host, uses the
/// `now` its callers pass, which is the host's clock. Only the owner can record an attempt's
/// outcome; an expired lease may be claimed by anyone.
public protocol Inbox: Sendable {
    /// Stores an event once per (source, dedup key) and creates its deliveries; a second
    /// arrival only counts. Durable when it returns; concurrent calls may share one commit.
    func store(_ event: IncomingEvent) async throws -> StoreResult

    /// Leases up to `limit` due deliveries of `routes` to `owner` (an agent id) until
    /// `now + lease`, counting the attempt now: one that never reports back still used up an
    /// attempt. Deliveries held back by their order key are passed over, not returned.
    func claimDueDeliveries(
        routes: [String],
        limit: Int,
        now: Date,
        lease: Duration,
        owner: String
    ) async throws
        -> [ClaimedDelivery]

    /// Records an attempt's outcome and releases the lease; ignored if `record.leaseOwner` no
    /// longer holds it (it expired and another agent took the delivery).
    func recordAttempt(_ record: AttemptRecord) async throws

    /// Takes back the leases that `owner` held before it restarted, and every expired lease,
    /// noting each as an interrupted attempt so the delivery runs again; returns how many.
    /// A live lease of another owner is never touched: that agent is still running it.
    func recoverLeases(owner: String, now: Date) async throws -> Int

    /// When a delivery of `routes` next becomes claimable after `after`, if any: an unleased one
    /// falls due, or, in an inbox several agents share, a lease runs out. When the agent holding
    /// that lease died, nothing else wakes the others to run its deliveries again, and they
    /// would wait out `idle_poll`; where one agent holds every lease, each ends with its outcome.
    /// Times already reached at `after` are left out: a claim at that time passed them over
    /// (held back by their order key), and waiting for them would spin.
    func nextDueDate(routes: [String], after: Date) async throws -> Date?

    /// The newest events first, for `hooksync events`.
    func events(_ query: EventQuery) async throws -> [EventSummary]
    /// Every event whose provider id or dedup key is `id`, with its deliveries and attempts.
    func eventDetails(id: String, source: String?) async throws -> [EventDetail]
    /// Dead letters matching `filter`, newest first.
    func deadLetters(_ filter: DeadLetterFilter, limit: Int) async throws -> [DeadLetter]
    /// Deletes matching dead letters; an operator's explicit act, never automatic.
    func purgeDeadLetters(_ filter: DeadLetterFilter) async throws -> Int
    /// Re-queues dead deliveries with their attempts reset; returns how many.
    func replay(_ selection: ReplaySelection, now: Date) async throws -> Int
    /// Counts per source and per route, for `hooksync status` and the metrics.
    func status() async throws -> InboxStatus

    /// Stores one polled page and moves the source's cursor in the same transaction, so a
    /// crash between pages neither skips nor repeats one. A nil cursor leaves it unchanged.
    /// With a `leader`, the commit first checks that this agent still leads the source's
    /// polling and throws ``LeadershipLost`` otherwise, storing nothing; without one (an
    /// operator's backfill) it stores regardless.
    func storePage(_ events: [IncomingEvent], source: String, cursor: String?, leader: String?) async throws -> [StoreResult]
    /// Whether an event with this dedup key is stored: what gap detection asks of a polled event.
    func contains(source: String, dedupKey: String) async throws -> Bool
    func pollState(source: String) async throws -> PollState?
    func recordPass(source: String, _ pass: PollPassRecord) async throws
    /// Ends the wait of each polled event of `source` that occurred before `cutoff` and
    /// whose webhook has not come: each is a missed webhook, added to the source's count in the
    /// same transaction. A webhook that brings an awaiting event again ends its wait unjudged,
    /// so an event polled before its webhook arrived is not counted, however young it was when
    /// polled. Returns the missed events, oldest first.
    func judgeMissedWebhooks(source: String, occurredBy cutoff: Date) async throws -> [MissedWebhook]
    /// Deletes up to `limit` events received before `cutoff` whose deliveries are all done,
    /// with their deliveries and attempts; returns how many. One short transaction per call.
    func prune(receivedBefore cutoff: Date, limit: Int) async throws -> Int
    /// Throws unless a write transaction can commit now: what `/readyz` checks.
    func checkWritable() async throws
    /// The last time a webhook (not a poll) first brought an event of `source`. Repeats do not
    /// count: a polled copy of an event a webhook brought earlier says nothing about webhooks.
    func lastWebhookArrival(source: String) async throws -> Date?

    /// Records a heartbeat of `agent` and takes or keeps, for `term`, the poll leadership of
    /// each of `sources` that no other agent holds (or whose holder's term ran out), measured
    /// on the inbox's clock. Returns the sources `agent` leads now: at most one agent leads a
    /// source at any moment. One short transaction, a few times per term. A backend that one
    /// agent owns (the SQLite file, under its data-directory lock) grants every source and
    /// keeps the heartbeat in memory: there is nobody to tell.
    func heartbeat(_ agent: AgentIdentity, sources: [String], term: Duration) async throws -> Set<String>
    /// Gives up `agent`'s poll leaderships, so that another agent takes over at its next
    /// heartbeat rather than after the term: what a graceful stop does.
    func releaseLeadership(agent: String) async throws
    /// Every agent that sent a heartbeat, with what it leads, for `status`.
    func agents() async throws -> [AgentPresence]

    /// Up to `limit` events stored after `position` (0 for the first), with everything kept of
    /// them, in storage order; `next` is where to continue, nil after the last. For `inbox copy`.
    func exportEvents(after position: Int64, limit: Int) async throws -> (events: [ExportedEvent], next: Int64?)
    /// Stores copied events as they were (states, histories, dead letters), skipping any whose
    /// (source, dedup key) is already here, so a copy interrupted halfway can run again.
    /// Returns how many were new.
    func importEvents(_ events: [ExportedEvent]) async throws -> Int
    /// Every source's poll state, for `inbox copy`.
    func pollStates() async throws -> [String: PollState]
    /// Sets a source's poll state (its cursor first of all) as copied from another inbox.
    func importPollState(source: String, _ state: PollState) async throws

    /// Calls `wake` whenever another agent, or a command on another host, makes deliveries due
    /// (stores an event, replays a dead letter, frees a lease), and once when it starts
    /// watching, for what it may have missed. Runs until cancelled; throws when the watch is
    /// lost (the connection dropped), for the caller to start again. A backend that only one
    /// agent writes has nothing to report and just waits to be cancelled.
    func watchForWork(_ wake: @escaping @Sendable () async -> Void) async throws

    /// Writes what the backend keeps in memory (arrival counts) and releases its resources;
    /// called once, when the agent or a command is done with the inbox.
    func shutdown() async throws
}

extension Inbox {
    /// Runs `body`, then shuts the inbox down whether or not `body` threw: what a command does
    /// with an inbox it opened for one job. An error from `body` is the one rethrown.
    public func closing<T>(after body: () async throws -> T) async throws -> T {
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        try await shutdown()
        return try result.get()
    }

    /// Stores a page without a leadership check: an operator's backfill, a test, the bench.
    public func storePage(_ events: [IncomingEvent], source: String, cursor: String?) async throws -> [StoreResult] {
        try await storePage(events, source: source, cursor: cursor, leader: nil)
    }

    /// Every dead letter, newest first.
    public func deadLetters(limit: Int) async throws -> [DeadLetter] {
        try await deadLetters(DeadLetterFilter(), limit: limit)
    }
}
