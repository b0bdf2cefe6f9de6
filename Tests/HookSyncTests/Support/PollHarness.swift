import Foundation
import Hummingbird
import Logging
import Synchronization

@testable import HookSync
@testable import HookSyncCore

/// A polling source against a mock provider: a real inbox file, the source resolved from
/// config as the agent would, and passes run on a recording clock.
struct PollHarness {
    let directory: TemporaryDirectory
    let inbox: any Inbox
    /// The inbox file, for tests that look at SQLite itself.
    let databasePath: String
    let setup: AgentSetup
    let clock = RecordingClock()
    let logger: Logger

    init(
        source: SourceConfig,
        environment: [String: String],
        routes: [RouteConfig] = [],
        inboxPath: String? = nil,
        providerFiles: [String: String] = [:]
    ) async throws {
        directory = try TemporaryDirectory()
        for (name, text) in providerFiles {
            try FileManager.default.createDirectory(atPath: directory.file("providers"), withIntermediateDirectories: true)
            _ = try directory.write("providers/\(name)", text)
        }
        let config = AgentConfig(
            file: "test.toml",
            dataDirectory: directory.file("data"),
            providersDirectory: providerFiles.isEmpty ? nil : directory.file("providers"),
            http: HTTPSettings(host: "127.0.0.1", port: 0),
            sources: [source],
            routes: routes
        )
        setup = try AgentSetup.prepare(config: config, environment: environment)
        databasePath = inboxPath ?? config.databasePath
        inbox = try await InboxFactory.open(.sqlite(path: databasePath), access: .create)
        var logger = Logger(label: "hooksync-poll-test")
        logger.logLevel = .critical
        self.logger = logger
    }

    var source: ResolvedSource { setup.sources.values.first! }

    func pass(
        transport: any FeedTransport = HTTPFeedTransport(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) -> PollPass<RecordingClock> {
        let config = setup.config
        let name = source.name
        return PollPass(
            source: source,
            feed: source.feed!,
            transport: transport,
            inbox: inbox,
            routes: { config.selectRoutes(source: name, type: $0, document: $1) },
            countsMissed: source.config.mode == .hybrid,
            grace: source.config.polling.grace,
            clock: clock,
            logger: logger,
            now: now
        )
    }

    func poller(
        transport: any FeedTransport = HTTPFeedTransport(),
        metrics: AgentMetrics? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) -> SourcePoller<RecordingClock> {
        let config = setup.config
        let name = source.name
        return SourcePoller(
            source: source,
            feed: source.feed!,
            schedule: source.config.polling.effectiveSchedule(mode: source.config.mode)!,
            inbox: inbox,
            routes: { config.selectRoutes(source: name, type: $0, document: $1) },
            signal: WorkSignal(),
            transport: transport,
            clock: clock,
            logger: logger,
            metrics: metrics,
            now: now
        )
    }

    /// The receiver over the same inbox, for hybrid sources.
    func receiver(now: @escaping @Sendable () -> Date = { Date() }) -> some ApplicationProtocol {
        let router = Router(context: ReceiverRequestContext.self)
        WebhookReceiver(setup: setup, inbox: inbox, signal: WorkSignal(), logger: logger, now: now).register(on: router)
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
    }

    /// Every stored event of the source: id → arrivals.
    func stored() async throws -> [String: Int] {
        let events = try await inbox.events(EventQuery(limit: 100_000))
        return Dictionary(events.map { ($0.id, $0.arrivals) }, uniquingKeysWith: { first, _ in first })
    }

    func storedCount() async throws -> Int {
        try await inbox.events(EventQuery(limit: 100_000)).count
    }
}

/// A transport that stops the pass after `pages` list answers, the way a `kill -9` between
/// pages would: the next request is never answered.
struct InterruptingTransport: FeedTransport {
    let pages: Int
    /// Which requests are pages; GitHub's per-delivery requests are not.
    var isPage: @Sendable (FeedRequest) -> Bool = { !$0.url.contains("/deliveries/") }
    let counter = Counter()

    final class Counter: Sendable {
        let value = Mutex(0)
    }

    func send(_ request: FeedRequest) async throws -> FeedResponse {
        let served = counter.value.withLock { value in
            if isPage(request) { value += 1 }
            return value
        }
        if served > pages { throw CancellationError() }
        return try await HTTPFeedTransport().send(request)
    }
}
