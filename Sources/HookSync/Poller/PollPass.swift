public import Foundation
import HTTPTypes
public import HookSyncCore
public import Logging

/// One catch-up of a source: page by page from its cursor until the API has nothing newer.
///
/// Every page's events and the cursor they justify are committed together. A page that fails
/// (network error, 429, 5xx, an unreadable answer) is fetched again after a backoff that honours
/// `Retry-After`, until it succeeds or the pass is cancelled: a page is never skipped.
public struct PollPass<C: Clock>: Sendable where C.Duration == Duration {
    public var source: ResolvedSource
    public var feed: any EventFeed
    public var transport: any FeedTransport
    public var inbox: any Inbox
    /// The routes of an event of a type, given its body (for routes' `order_by`).
    public var routes: @Sendable (String, EventDocument) -> RouteSelection
    /// Only hybrid sources count missed webhooks.
    public var countsMissed: Bool
    public var grace: Duration
    public var retry: PageRetryPolicy
    public var clock: C
    public var logger: Logger
    public var now: @Sendable () -> Date
    /// Called after each page, for progress lines.
    public var progress: @Sendable (PollPassSummary) -> Void
    /// Promises the next sign of life within the given time (a request, or a retry's wait):
    /// the systemd watchdog stops when a pass hangs past its promise.
    public var heartbeat: @Sendable (Duration) async -> Void = { _ in }
    /// The agent that must lead the source's polling for a page to be stored (the agent's
    /// own passes); nil for an operator's backfill, which stores regardless.
    public var leader: String?

    public init(
        source: ResolvedSource,
        feed: any EventFeed,
        transport: any FeedTransport,
        inbox: any Inbox,
        routes: @escaping @Sendable (String, EventDocument) -> RouteSelection,
        countsMissed: Bool,
        grace: Duration,
        retry: PageRetryPolicy = PageRetryPolicy(),
        clock: C,
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() },
        progress: @escaping @Sendable (PollPassSummary) -> Void = { _ in }
    ) {
        self.source = source
        self.feed = feed
        self.transport = transport
        self.inbox = inbox
        self.routes = routes
        self.countsMissed = countsMissed
        self.grace = grace
        self.retry = retry
        self.clock = clock
        self.logger = logger
        self.now = now
        self.progress = progress
    }

    /// Runs the pass from the stored cursor, or from `since` without one.
    /// - Parameter rescan: list the whole window from `since` even with a cursor (`hooksync
    ///   backfill`); what is already stored is deduplicated, and the cursor is left where the
    ///   regular passes put it, since the window may start after it.
    public func run(since: Date, rescan: Bool = false) async throws -> PollPassSummary {
        var summary = PollPassSummary()
        let cursor = rescan ? nil : try await inbox.pollState(source: source.name)?.cursor
        var fetched = try await fetchPage(try feed.firstRequest(cursor: cursor, since: since))
        while let page = fetched {
            try Task.checkCancellation()
            // The next page is on its way while this one commits: the API's latency and the
            // disk's overlap. Its cursor is committed only after this page's.
            async let upcoming = fetchPage(page.next)
            var polled = page.events
            for candidate in page.candidates where try await !inbox.contains(source: source.name, dedupKey: candidate.dedupKey) {
                // A delivery that no longer exists is skipped; a page never is.
                if candidate.redeliver {
                    if try await fetch(candidate.request, absentWhen: [404, 410], read: { _ in () }) != nil {
                        summary.redelivered += 1
                    }
                } else if let found = try await fetch(
                    candidate.request,
                    absentWhen: [404, 410],
                    read: { response throws(FeedError) in try feed.candidate(response, for: candidate.request) }
                ), let event = found {
                    polled.append(event)
                }
            }
            let incoming = polled.compactMap { event in self.incoming(event, summary: &summary) }
            let results = try await inbox.storePage(incoming, source: source.name, cursor: rescan ? nil : page.cursor, leader: leader)
            for (event, result) in zip(incoming, results) {
                guard result == .stored else {
                    summary.duplicates += 1
                    continue
                }
                summary.new += 1
                if countsMissed && event.occurredAt == nil { summary.untimed += 1 }
            }
            summary.pages += 1
            summary.events += polled.count
            progress(summary)
            fetched = try await upcoming
        }
        if countsMissed {
            // Stored events wait for their webhooks until `grace` after they occurred, however
            // young they were when polled: judged here, at the end of each pass.
            let missed = try await inbox.judgeMissedWebhooks(source: source.name, occurredBy: now().addingTimeInterval(-grace.seconds))
            summary.missed = missed.count
            for event in missed {
                logger.warning(
                    "missed webhook recovered by polling",
                    metadata: ["source": "\(source.name)", "event_id": "\(event.eventID)", "type": "\(event.type)"]
                )
            }
        }
        if summary.untimed > 0 {
            logger.warning(
                "polled events without a readable time: whether their webhooks were missed cannot be told; check the provider file's occurred_at",
                metadata: ["source": "\(source.name)", "count": "\(summary.untimed)"]
            )
        }
        return summary
    }

    /// Pages have no "absent" status: this returns the page or keeps trying; nil for no request.
    private func fetchPage(_ request: FeedRequest?) async throws -> FeedPage? {
        guard let request else { return nil }
        return try await fetch(request, read: { response throws(FeedError) in try feed.page(response, for: request) })
    }

    private func incoming(_ event: PolledEvent, summary: inout PollPassSummary) -> IncomingEvent? {
        let fields: EventFields
        let document: EventDocument
        do {
            document = try source.provider.event.decode(headers: event.headers, body: event.body, keeping: source.projection).document
            fields = try source.provider.event.fields(of: document)
        } catch {
            summary.unreadable += 1
            logger.warning("polled event skipped", metadata: ["source": "\(source.name)", "reason": "\(error)"])
            return nil
        }
        let selection = routes(fields.type, document)
        return IncomingEvent(
            source: source.name,
            eventID: fields.id,
            dedupKey: fields.dedupKey,
            type: fields.type,
            occurredAt: event.occurredAt ?? fields.occurredAt,
            receivedAt: now(),
            origin: .poll,
            headers: source.provider.keptHeaders(from: event.headers),
            body: event.body,
            routes: selection.routes,
            orderKeys: selection.orderKeys,
            awaitsWebhook: countsMissed
        )
    }

    /// Sends `request` until a 2xx answer reads, waiting between tries as `retry` says; nil
    /// only for a status in `absentWhen` (a resource that is gone, for candidates).
    private func fetch<T>(
        _ request: FeedRequest,
        absentWhen: Set<Int> = [],
        read: (FeedResponse) throws(FeedError) -> T
    ) async throws -> T? {
        var failures = 0
        var generator = SystemRandomNumberGenerator()
        while true {
            try Task.checkCancellation()
            await heartbeat(.seconds(60))
            var retryAfter: Duration?
            let problem: String
            do {
                let response = try await transport.send(request)
                if absentWhen.contains(response.status) {
                    logger.warning(
                        "poll request found nothing; skipped",
                        metadata: ["source": "\(source.name)", "url": "\(Self.redacted(request.url))", "status": "\(response.status)"]
                    )
                    return nil
                }
                if (200..<300).contains(response.status) {
                    do {
                        return try read(response)
                    } catch {
                        problem = error.description
                    }
                } else {
                    retryAfter = PageRetryPolicy.retryAfter(response.headers["retry-after"], now: now())
                    problem = "HTTP \(response.status)"
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                problem = "\(error)"
            }
            failures += 1
            let delay = retry.delay(afterFailures: failures, retryAfter: retryAfter, using: &generator)
            logger.warning(
                "poll request failed; retrying the same page",
                metadata: [
                    "source": "\(source.name)", "url": "\(Self.redacted(request.url))", "problem": "\(problem)",
                    "attempt": "\(failures)", "retry_in": "\(ConfigDuration.format(delay))",
                ]
            )
            await heartbeat(delay + .seconds(60))
            try await clock.sleep(for: delay)
        }
    }

    /// The URL without its query, which may carry cursors but never belongs in a log line whole.
    static func redacted(_ url: String) -> String {
        url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
    }
}
