public import Foundation
public import HookSyncCore
public import Logging
public import ServiceLifecycle

/// Polls one source for as long as the agent runs: a catch-up at start-up, then on the source's
/// schedule, or at its fallback rate while a hybrid source's webhooks are degraded.
public struct SourcePoller<C: Clock>: Service, CustomStringConvertible where C.Duration == Duration {
    public var source: ResolvedSource
    public var schedule: PollSchedule
    public var inbox: any Inbox
    public var signal: WorkSignal
    public var pass: PollPass<C>
    public var clock: C
    public var logger: Logger
    public var calendar: Calendar
    public var liveness: Liveness?
    public var metrics: AgentMetrics?
    /// Which sources this agent leads, when several agents share the inbox; nil polls always.
    public var leadership: LeadershipBoard?

    public init(
        source: ResolvedSource,
        feed: any EventFeed,
        schedule: PollSchedule,
        inbox: any Inbox,
        routes: @escaping @Sendable (String, EventDocument) -> RouteSelection,
        signal: WorkSignal,
        transport: any FeedTransport = HTTPFeedTransport(),
        retry: PageRetryPolicy = PageRetryPolicy(),
        clock: C,
        logger: Logger,
        calendar: Calendar = .current,
        liveness: Liveness? = nil,
        metrics: AgentMetrics? = nil,
        leadership: LeadershipBoard? = nil,
        agentID: String? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.leadership = leadership
        self.liveness = liveness
        self.metrics = metrics
        self.source = source
        self.schedule = schedule
        self.inbox = inbox
        self.signal = signal
        self.clock = clock
        self.logger = logger
        self.calendar = calendar
        self.pass = PollPass(
            source: source,
            feed: feed,
            transport: transport,
            inbox: inbox,
            routes: routes,
            countsMissed: source.config.mode == .hybrid,
            grace: source.config.polling.grace,
            retry: retry,
            clock: clock,
            logger: logger,
            now: now
        )
        let key = "poll:\(source.name)"
        self.pass.heartbeat = { within in await liveness?.checkIn(key, within: within) }
        self.pass.leader = leadership == nil ? nil : agentID
    }

    public var description: String { "SourcePoller(\(source.name))" }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { try await loop() }
    }

    private func loop() async throws {
        let polling = source.config.polling
        var generator = SystemRandomNumberGenerator()
        do {
            while !Task.isCancelled {
                try await waitForLeadership()
                // The health as the last pass left it, whichever agent ran it.
                let stored = try await inbox.pollState(source: source.name)
                var health = SourceHealth(
                    state: stored?.health ?? .healthy,
                    reason: stored?.healthReason,
                    recoverAfter: polling.recoverAfter,
                    silence: polling.silence
                )
                while !Task.isCancelled, await isLeading() {
                    try await runPass(health: &health)
                    let now = pass.now()
                    let next = health.nextPass(
                        scheduled: schedule.next(after: now, calendar: calendar, using: &generator),
                        now: now,
                        fallback: polling.fallbackPoll
                    )
                    let pause = Duration.seconds(max(0, next.timeIntervalSince(now)))
                    logger.debug("next poll pass", metadata: ["source": "\(source.name)", "at": "\(ConsoleTime.rfc3339(next))"])
                    await liveness?.checkIn("poll:\(source.name)", within: pause + .seconds(60))
                    try await clock.sleep(for: pause)
                }
            }
        } catch is CancellationError {
            // Shutdown: the last committed page is where the next start resumes.
        }
    }

    private func isLeading() async -> Bool {
        await leadership?.leads(source.name) ?? true
    }

    /// Returns once this agent leads the source's polling: at once with a single agent, or
    /// at the heartbeat that takes over from a leader that stopped.
    private func waitForLeadership() async throws {
        guard let leadership else { return }
        while await !leadership.leads(source.name) {
            await liveness?.checkIn("poll:\(source.name)", within: await leadership.heartbeatInterval + .seconds(60))
            await leadership.nextAnswer()
            try Task.checkCancellation()
        }
    }

    /// One pass, its health verdict and its record; failures are recorded, not thrown.
    func runPass(health: inout SourceHealth) async throws {
        let started = pass.now()
        let state = try await inbox.pollState(source: source.name)
        let since = state?.syncedUntil ?? started.addingTimeInterval(-source.config.polling.backfill.seconds)
        if let retention = source.provider.api?.retention, let synced = state?.syncedUntil {
            switch RetentionGuard(retention: retention).check(syncedUntil: synced, now: started) {
            case .lost(let from, let until):
                logger.error(
                    "events past the API's retention cannot be recovered by polling",
                    metadata: ["source": "\(source.name)", "from": "\(ConsoleTime.rfc3339(from))", "until": "\(ConsoleTime.rfc3339(until))"]
                )
            case .nearLimit(let age, let limit):
                logger.warning(
                    "last sync is near the API's retention limit",
                    metadata: ["source": "\(source.name)", "age": "\(ConfigDuration.format(age))", "retention": "\(ConfigDuration.format(limit))"]
                )
            case .ok:
                break
            }
        }
        do {
            let summary = try await pass.run(since: since)
            if summary.new > 0 { await signal.wake() }
            metrics?.eventsPolled(source: source.name, stored: summary.new, duplicates: summary.duplicates)
            metrics?.pollFinished(source: source.name, succeeded: true, missed: summary.missed, lag: pass.now().timeIntervalSince(started))
            logger.info("poll pass finished", metadata: ["source": "\(source.name)", "summary": "\(summary.line)"])
            if source.config.mode == .hybrid {
                let last = try await inbox.lastWebhookArrival(source: source.name)
                let verdict = SourceHealth.Pass(missed: summary.missed, newEvents: summary.new, lastWebhookAt: last, now: pass.now())
                switch health.record(verdict) {
                case .degraded(let reason)?:
                    logger.warning(
                        "source degraded: polling every \(ConfigDuration.format(source.config.polling.fallbackPoll))",
                        metadata: ["source": "\(source.name)", "reason": "\(reason)"]
                    )
                case .recovered(let reason)?:
                    logger.notice("source recovered: back to its schedule", metadata: ["source": "\(source.name)", "reason": "\(reason)"])
                case nil:
                    break
                }
            }
            metrics?.sourceHealth(source: source.name, degraded: health.state == .degraded)
            try await inbox.recordPass(
                source: source.name,
                PollPassRecord(
                    syncedUntil: started,
                    polledAt: pass.now(),
                    health: health.state,
                    healthReason: health.reason
                )
            )
        } catch is CancellationError {
            throw CancellationError()
        } catch let lost as LeadershipLost {
            // Another agent polls this source now, from the cursor this agent last committed;
            // the pass is its to record.
            await leadership?.lost(source.name)
            logger.notice("poll pass stopped: \(lost)", metadata: ["source": "\(source.name)"])
        } catch {
            logger.error("poll pass failed", metadata: ["source": "\(source.name)", "error": "\(error)"])
            metrics?.pollFinished(source: source.name, succeeded: false, missed: 0, lag: state?.syncedUntil.map { pass.now().timeIntervalSince($0) })
            try await inbox.recordPass(
                source: source.name,
                PollPassRecord(syncedUntil: nil, polledAt: pass.now(), error: "\(error)", health: health.state, healthReason: health.reason)
            )
        }
    }
}
