import Foundation
public import HookSyncCore
public import Hummingbird
public import Logging
import NIOCore
public import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The long-running agent: receiver and worker over one inbox, stopped gracefully on
/// SIGTERM or SIGINT (stop accepting, let in-flight deliveries finish, exit 0).
public enum Agent {
    /// Runs until a shutdown signal. Throws when the agent cannot start.
    /// - Parameter setup: the configuration checked against this host (``AgentSetup/load(path:environment:resolveSecrets:)``).
    public static func run(setup: AgentSetup, logger: Logger) async throws {
        // A route command that exits before reading all its input must not kill the agent.
        signal(SIGPIPE, SIG_IGN)
        let config = setup.config
        let lock = try AgentLock.acquire(dataDirectory: config.dataDirectory)
        let inbox = try await InboxFactory.open(config: config, access: .create)
        // Ours from before a restart, and any whose owner let them expire; never a live lease
        // of another agent.
        let interrupted = try await inbox.recoverLeases(owner: config.agentID, now: Date())
        if interrupted > 0 {
            logger.notice("deliveries interrupted by a previous stop will run again", metadata: ["count": "\(interrupted)"])
        }
        let signal = WorkSignal()
        let notifier = SystemdNotifier()
        let watchdog = SystemdNotifier.watchdogInterval()
        let liveness = watchdog.map { _ in Liveness() }
        let metrics = AgentMetrics()
        var services = Self.services(
            setup: setup,
            inbox: inbox,
            signal: signal,
            logger: logger,
            environment: config.environmentForRoutes(ProcessInfo.processInfo.environment),
            liveness: liveness,
            livenessMargin: watchdog ?? .seconds(30),
            metrics: metrics
        )
        if let admin = config.http?.admin {
            let router = Router()
            AdminEndpoints(setup: setup, inbox: inbox, metrics: metrics).register(on: router, health: true)
            services.append(
                Application(
                    router: router,
                    configuration: .init(address: .hostname(admin.host, port: admin.port), serverName: "hooksync-admin"),
                    logger: logger
                )
            )
        }
        if let watchdog, let liveness {
            services.append(WatchdogService(notifier: notifier, interval: watchdog, liveness: liveness, logger: logger))
        }
        services.append(InboxWatcher(inbox: inbox, signal: signal, logger: logger))
        services.append(ShutdownNotice(notifier: notifier))
        let summary = "\(config.sources.count) source(s), \(config.routes.count) route(s)"
        logger.notice(
            "hooksync starting",
            metadata: [
                "config": "\(config.file)", "agent_id": "\(config.agentID)", "inbox": "\(config.inbox)", "sources": "\(config.sources.count)",
                "routes": "\(config.routes.count)",
            ]
        )
        if config.http != nil {
            let app = makeApplication(setup: setup, inbox: inbox, signal: signal, services: services, logger: logger, metrics: metrics) {
                address in
                lock.record(listen: address)
                // The inbox is open and migrated, and the listener accepts connections.
                notifier.notify("READY=1\nSTATUS=listening on \(address); \(summary)")
            }
            try await app.runService()
        } else {
            let group = ServiceGroup(
                configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            )
            notifier.notify("READY=1\nSTATUS=polling only; \(summary)")
            try await group.run()
        }
        // Arrivals counted since the last stored event; events themselves are all committed.
        do {
            try await inbox.shutdown()
        } catch {
            logger.error("cannot write the last arrival counts to the inbox", metadata: ["error": "\(error)"])
        }
        logger.notice("hooksync stopped")
        withExtendedLifetime(lock) {}
    }

    /// What runs beside the listener: the delivery worker, and a poller per source that polls.
    public static func services(
        setup: AgentSetup,
        inbox: any Inbox,
        signal: WorkSignal,
        logger: Logger,
        environment: [String: String],
        liveness: Liveness? = nil,
        livenessMargin: Duration = .seconds(30),
        metrics: AgentMetrics? = nil
    ) -> [any Service] {
        let config = setup.config
        var services: [any Service] = [
            DeliveryWorker(
                inbox: inbox,
                routes: config.routes,
                settings: config.worker,
                agentID: config.agentID,
                failover: config.failover,
                signal: signal,
                logger: logger,
                clock: ContinuousClock(),
                environment: environment,
                forwardSecrets: setup.forwardSecrets,
                liveness: liveness,
                livenessMargin: livenessMargin,
                metrics: metrics
            )
        ]
        if let retain = config.retain {
            services.append(InboxPruner(inbox: inbox, retain: retain, clock: ContinuousClock(), logger: logger))
        }
        let polled = setup.sources.values.sorted(by: { $0.name < $1.name }).compactMap { source in
            source.feed.flatMap { feed in source.config.polling.effectiveSchedule(mode: source.config.mode).map { (source, feed, $0) } }
        }
        let leadership = LeadershipBoard(failover: config.failover)
        services.append(
            AgentHeartbeat(
                inbox: inbox,
                identity: AgentIdentity(
                    id: config.agentID,
                    host: ProcessInfo.processInfo.hostName,
                    version: HookSyncVersion.string,
                    startedAt: Date()
                ),
                sources: polled.map(\.0.name),
                board: leadership,
                metrics: metrics,
                logger: logger
            )
        )
        for (source, feed, schedule) in polled {
            let name = source.name
            services.append(
                SourcePoller(
                    source: source,
                    feed: feed,
                    schedule: schedule,
                    inbox: inbox,
                    routes: { config.selectRoutes(source: name, type: $0, document: $1) },
                    signal: signal,
                    clock: ContinuousClock(),
                    logger: logger,
                    liveness: liveness,
                    metrics: metrics,
                    leadership: leadership,
                    agentID: config.agentID
                )
            )
            logger.info("polling", metadata: ["source": "\(name)", "schedule": "\(schedule)"])
        }
        return services
    }

    /// The HTTP application with the webhook receiver; `services` run alongside and stop after it.
    public static func makeApplication(
        setup: AgentSetup,
        inbox: any Inbox,
        signal: WorkSignal,
        services: [any Service],
        logger: Logger,
        metrics: AgentMetrics = AgentMetrics(),
        onListening: @escaping @Sendable (String) -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: ReceiverRequestContext.self)
        WebhookReceiver(setup: setup, inbox: inbox, signal: signal, logger: logger, metrics: metrics).register(on: router)
        let http = setup.config.http ?? HTTPSettings()
        if http.admin == nil {
            AdminEndpoints(setup: setup, inbox: inbox, metrics: metrics).register(on: router, health: false)
        }
        return Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: TimeAmount(http.idleTimeout))),
            configuration: .init(address: .hostname(http.host, port: http.port), serverName: "hooksync"),
            services: services,
            onServerRunning: { channel in
                let host = channel.localAddress?.ipAddress ?? http.host
                let port = channel.localAddress?.port ?? http.port
                let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
                logger.notice("listening", metadata: ["address": "\(address)"])
                onListening(address)
            },
            logger: logger
        )
    }
}
