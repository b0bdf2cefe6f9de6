public import Foundation
public import HookSyncCore
public import Logging
public import ServiceLifecycle

/// Delivers stored events to their routes: claims due deliveries, runs them concurrently up to
/// a limit, and records each outcome (done, retry later, or dead letter).
///
/// It sleeps until woken by ``WorkSignal`` or until the next retry is due. On graceful shutdown
/// it stops claiming and lets in-flight deliveries finish; anything cut short keeps its lease,
/// which the next start clears so the delivery runs again.
public struct DeliveryWorker<WorkerClock: Clock>: Service where WorkerClock.Duration == Duration {
    private let inbox: any Inbox
    private let routes: [String: RouteConfig]
    private let settings: WorkerSettings
    private let signal: WorkSignal
    private let logger: Logger
    private let clock: WorkerClock
    private let now: @Sendable () -> Date
    private let runner = ExecRunner()
    private let forwarder = ForwardRunner()
    /// Forward routes' signing secrets, by route name.
    private let forwardSecrets: [String: Secret]
    /// Where the dispatch loop promises its next check-in, for the systemd watchdog.
    private let liveness: Liveness?
    private let metrics: AgentMetrics?
    private let livenessMargin: Duration
    /// What exec routes inherit: the agent's environment without the variables holding secrets.
    private let baseEnvironment: [String: String]
    /// The agent id: the owner of this worker's leases, so a restart takes them back.
    private let owner: String
    /// How long a lease outlives the longest route timeout: if this agent dies mid-attempt,
    /// another takes the delivery over this long after the attempt would have timed out.
    private let failover: Duration

    public init(
        inbox: any Inbox,
        routes: [RouteConfig],
        settings: WorkerSettings,
        agentID: String = AgentConfig.defaultAgentID,
        failover: Duration = AgentConfig.defaultFailover,
        signal: WorkSignal,
        logger: Logger,
        clock: WorkerClock,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        forwardSecrets: [String: Secret] = [:],
        liveness: Liveness? = nil,
        livenessMargin: Duration = .seconds(30),
        metrics: AgentMetrics? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.metrics = metrics
        self.forwardSecrets = forwardSecrets
        self.liveness = liveness
        self.livenessMargin = livenessMargin
        self.baseEnvironment = environment
        self.inbox = inbox
        self.routes = Dictionary(routes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.settings = settings
        self.signal = signal
        self.logger = logger
        self.clock = clock
        self.now = now
        self.failover = failover
        self.owner = agentID
    }

    public func run() async throws {
        let limits = Self.routeLimits(routes, capacity: settings.concurrency)
        let slots = SlotCounter(capacity: settings.concurrency, routeLimits: limits)
        var clients: [String: ForwardConnection] = [:]
        for route in routes.values {
            if case .forward(let url, _) = route.action {
                clients[route.name] = forwarder.connection(url: url, connections: limits[route.name] ?? settings.concurrency)
            }
        }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                await dispatch(into: &group, slots: slots, clients: clients)
                let busy = await slots.inUse
                if busy > 0 { logger.info("waiting for in-flight deliveries to finish", metadata: ["in_flight": "\(busy)"]) }
            }
        } onGracefulShutdown: {
            Task { await signal.stop() }
        }
        // After the last delivery: the task group waited for them all.
        for client in clients.values { try? await client.shutdown() }
    }

    /// Each route's limit: its own `concurrency`, else half the worker's slots when there are
    /// other routes, so one route whose target hangs cannot occupy every slot.
    static func routeLimits(_ routes: [String: RouteConfig], capacity: Int) -> [String: Int] {
        let fairShare = routes.count > 1 ? max(1, capacity / 2) : capacity
        return routes.mapValues { $0.concurrency ?? fairShare }
    }

    private func dispatch(into group: inout DiscardingTaskGroup, slots: SlotCounter, clients: [String: ForwardConnection]) async {
        let routeNames = routes.keys.sorted()
        let longestTimeout = routes.values.map(\.timeout).max() ?? .seconds(30)
        // Cancelled (its service group torn down without a graceful shutdown), it stops claiming
        // at once: every claim would throw CancellationError, and the loop would spin on it.
        while !Task.isCancelled, !(await signal.isStopped) {
            await liveness?.checkIn("worker", within: livenessMargin)
            var wanted = 0
            var claimedCount = 0
            let claimedAt = now()
            // The receiver comes first: while webhooks arrive, each route keeps a share of its slots.
            let receiver = signal.receiver.snapshot()
            let busy = settings.drainBudget.receiverIsBusy(sinceLastWebhook: receiver.sinceLastArrival, webhooksInFlight: receiver.inFlight)
            // Each route is claimed up to its room; a full route waits for a finishing delivery.
            let (batches, room) = await slots.claimBatches(routes: routeNames, budget: settings.drainBudget, receiverBusy: busy)
            if !batches.isEmpty {
                do {
                    var claimed: [ClaimedDelivery] = []
                    var free = room
                    for batch in batches where free > 0 {
                        let limit = min(batch.limit, free)
                        wanted += limit
                        let taken = try await inbox.claimDueDeliveries(
                            routes: [batch.route],
                            limit: limit,
                            now: claimedAt,
                            lease: longestTimeout + failover,
                            owner: owner
                        )
                        free -= taken.count
                        claimed += taken
                    }
                    for delivery in claimed {
                        await slots.take(route: delivery.route)
                        group.addTask {
                            await deliver(delivery, connection: clients[delivery.route])
                            await slots.give(route: delivery.route)
                            await signal.wake()
                        }
                    }
                    claimedCount = claimed.count
                } catch {
                    if Task.isCancelled { break }
                    logger.error("cannot claim deliveries from the inbox", metadata: ["error": "\(error)"])
                    await signal.wait(timeout: settings.idlePoll, clock: clock)
                    continue
                }
            }
            // Only routes with room, and only what falls due after the claim (DispatchStep).
            var nextDue: Date?
            let roomy = batches.map(\.route)
            if !DispatchStep.claimsAgain(wanted: wanted, claimed: claimedCount), !roomy.isEmpty {
                do {
                    nextDue = try await inbox.nextDueDate(routes: roomy, after: claimedAt)
                } catch {
                    if Task.isCancelled { break }
                    logger.error("cannot read when the next delivery is due", metadata: ["error": "\(error)"])
                }
            }
            let step = DispatchStep.next(wanted: wanted, claimed: claimedCount, nextDue: nextDue, now: now(), idlePoll: settings.idlePoll)
            guard case .wait(let wait) = step else { continue }
            // The next check-in comes after the wait and one more claim: a claim stuck on the
            // database makes this promise lapse and stops the watchdog.
            await liveness?.checkIn("worker", within: wait + livenessMargin)
            await signal.wait(timeout: wait, clock: clock)
        }
    }

    private func deliver(_ delivery: ClaimedDelivery, connection: ForwardConnection?) async {
        guard let route = routes[delivery.route] else { return }
        let attempt = delivery.attempt
        // Passed with each line rather than set on a copy of the logger: a handler copy per
        // metadata key showed in the drain's profile.
        var metadata: Logger.Metadata = [
            "source": "\(delivery.source)", "event_id": "\(delivery.eventID)", "type": "\(delivery.type)",
            "route": "\(route.name)", "attempt": "\(attempt)",
        ]

        let started = now()
        let outcome: DeliveryOutcome
        switch route.action {
        case .exec(let command):
            var environment = baseEnvironment
            environment["HOOKSYNC_EVENT_ID"] = delivery.eventID
            environment["HOOKSYNC_EVENT_TYPE"] = delivery.type
            environment["HOOKSYNC_SOURCE"] = delivery.source
            environment["HOOKSYNC_ROUTE"] = route.name
            environment["HOOKSYNC_ATTEMPT"] = String(attempt)
            environment["HOOKSYNC_ORIGIN"] = delivery.origin.rawValue
            if delivery.late { environment["HOOKSYNC_LATE"] = "1" }
            outcome = await runner.run(
                command: command,
                input: delivery.body,
                environment: environment,
                timeout: route.timeout,
                clock: clock
            ).outcome
        case .forward(let url, _):
            if let secret = forwardSecrets[route.name], let connection {
                outcome = await forwarder.run(delivery, url: url, secret: secret, timeout: route.timeout, now: started, connection: connection)
            } else {
                outcome = .failed(reason: "no forward_secret loaded for this route", retryAfter: nil)
            }
        }
        let finished = now()
        var generator = SystemRandomNumberGenerator()
        let decision = DeliveryPolicy(maxAttempts: route.maxAttempts, schedule: route.backoff)
            .decide(outcome, attempts: attempt, using: &generator)
        metrics?.deliveryFinished(route: route.name, decision: decision, duration: .seconds(finished.timeIntervalSince(started)))
        switch decision {
        case .done:
            logger.info("delivered", metadata: metadata)
        case .retry(let delay):
            metadata["reason"] = "\(outcome.error ?? "")"
            metadata["retry_in"] = "\(ConfigDuration.format(delay))"
            logger.warning("delivery failed, will retry", metadata: metadata)
        case .dead:
            metadata["reason"] = "\(outcome.error ?? "")"
            logger.error("delivery failed for the last time, dead-lettered", metadata: metadata)
        }
        let record = AttemptRecord(
            deliveryID: delivery.deliveryID,
            leaseOwner: owner,
            startedAt: started,
            finishedAt: finished,
            error: outcome.error,
            decision: decision
        )
        // The attempt happened: giving up on its record (a full disk, a locked database) would
        // run the delivery again when its lease ends, a repeat of our own making. Keep trying,
        // holding the slot, until the inbox takes it or the agent stops.
        var pause = Duration.milliseconds(100)
        var failures = 0
        while true {
            do {
                try await inbox.recordAttempt(record)
                if failures > 0 { logger.notice("attempt recorded after \(failures) failed tries", metadata: metadata) }
                return
            } catch {
                failures += 1
                if failures == 1 {
                    metadata["error"] = "\(error)"
                    logger.error("cannot record the attempt; retrying until the inbox takes it", metadata: metadata)
                }
                if await signal.isStopped {
                    logger.error("stopping with the attempt unrecorded; the next start runs it again", metadata: metadata)
                    return
                }
                try? await clock.sleep(for: pause)
                pause = min(pause * 2, .seconds(5))
            }
        }
    }
}

extension DeliveryWorker: CustomStringConvertible {
    /// ServiceLifecycle logs each service's description; the default one would dump the stored
    /// environment, which may hold secrets.
    public var description: String {
        "DeliveryWorker(routes: \(routes.keys.sorted()), concurrency: \(settings.concurrency))"
    }
}

/// Counts deliveries in flight against the worker's limit and each route's own.
actor SlotCounter {
    let capacity: Int
    let routeLimits: [String: Int]
    private(set) var inUse = 0
    private var byRoute: [String: Int] = [:]
    private var rotation = 0

    init(capacity: Int, routeLimits: [String: Int] = [:]) {
        self.capacity = capacity
        self.routeLimits = routeLimits
    }

    func take(route: String) {
        inUse += 1
        byRoute[route, default: 0] += 1
    }

    func give(route: String) {
        inUse -= 1
        byRoute[route, default: 1] -= 1
    }

    /// The claims to make now: each route with its room, capped by the worker's free slots.
    ///
    /// Each route is offered all the free slots; the dispatcher subtracts what a claim really
    /// took before the next, so a route with nothing due never holds slots back from another.
    /// The first route rotates from call to call, so no route always gets first pick.
    ///
    /// A busy route is claimed for only once a quarter of its slots are free: each claim is a
    /// transaction, and one per finished delivery would make the inbox the drain's limit.
    ///
    /// While the receiver is busy each route fills only its share (``DrainBudget``), and the
    /// quarter counts from that share.
    /// - Returns: the claims, and the free slots they share.
    func claimBatches(
        routes: [String],
        budget: DrainBudget = DrainBudget(),
        receiverBusy: Bool = false
    ) -> (batches: [(route: String, limit: Int)], free: Int) {
        let free = max(0, capacity - inUse)
        guard !routes.isEmpty else { return ([], free) }
        let start = rotation % routes.count
        rotation &+= 1
        var batches: [(route: String, limit: Int)] = []
        for route in routes[start...] + routes[..<start] {
            let limit = budget.slots(of: routeLimits[route, default: capacity], receiverBusy: receiverBusy)
            let inFlight = byRoute[route, default: 0]
            let room = min(free, limit - inFlight)
            if room > 0, inFlight == 0 || room >= max(1, limit / 4) {
                batches.append((route, room))
            }
        }
        return (batches, free)
    }
}
