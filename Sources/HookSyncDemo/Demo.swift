import AsyncHTTPClient
import Foundation
import HookSync
import HookSyncCore
import Hummingbird
public import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// `hooksync demo`: a simulated Stripe that creates events and drops some of their webhooks,
/// and a real agent — receiver, hybrid poller, worker and SQLite inbox — merging both feeds.
/// It shows new users, in one changing line, that what webhooks miss polling recovers, once.
public struct Demo: Sendable {
    public var dataDirectory: String
    public var duration: Duration
    /// Events per second.
    public var rate: Double
    /// The share of webhooks the simulated provider never sends.
    public var drop: Double
    public var logger: Logger

    public init(dataDirectory: String, duration: Duration, rate: Double, drop: Double, logger: Logger) {
        self.dataDirectory = dataDirectory
        self.duration = duration
        self.rate = rate
        self.drop = drop
        self.logger = logger
    }

    /// Runs the simulation, calling `report` about once a second; returns the final numbers.
    public func run(report: @escaping @Sendable (DemoSummary) -> Void) async throws -> DemoSummary {
        let secret = "whsec_demo_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let stripe = SimulatedStripe(apiKey: "sk_test_demo_" + UUID().uuidString.prefix(8).lowercased())
        let simulator = Router()
        stripe.register(on: simulator)
        let (simulatorPort, simulatorApp) = Self.listening(router: simulator, logger: logger)
        let simulatorGroup = ServiceGroup(configuration: .init(services: [simulatorApp], logger: logger))
        // Leaving this scope early cancels the groups, which shuts them down.
        async let simulatorRun: Void = simulatorGroup.run()
        guard let apiPort = await simulatorPort.first(where: { _ in true }) else { throw DemoError("the simulated provider did not start") }

        let ledgerPath = URL(fileURLWithPath: dataDirectory).appendingPathComponent(Self.ledger).path
        var polling = PollingSettings()
        polling.schedule = PollSchedule(rule: .every(.seconds(3)), jitter: .zero)
        polling.grace = .seconds(2)
        polling.fallbackPoll = .seconds(1)
        polling.recoverAfter = 2
        polling.backfill = .seconds(60)
        let config = AgentConfig(
            file: "(demo)",
            dataDirectory: dataDirectory,
            http: HTTPSettings(host: "127.0.0.1", port: 0),
            sources: [
                SourceConfig(
                    name: "demo",
                    provider: "stripe",
                    mode: .hybrid,
                    webhookSecrets: [.environment("HOOKSYNC_DEMO_SECRET")],
                    apiKey: .environment("HOOKSYNC_DEMO_KEY"),
                    apiBase: "http://127.0.0.1:\(apiPort)",
                    polling: polling
                )
            ],
            routes: [RouteConfig(name: "handler", action: .exec(Self.handler(ledger: ledgerPath)), timeout: .seconds(10))]
        )
        let setup = try AgentSetup.prepare(config: config, environment: ["HOOKSYNC_DEMO_SECRET": secret, "HOOKSYNC_DEMO_KEY": stripe.apiKey])
        let inbox = try await InboxFactory.open(config: config, access: .create)
        let signal = WorkSignal()
        let environment = config.environmentForRoutes(ProcessInfo.processInfo.environment)
        let services = Agent.services(setup: setup, inbox: inbox, signal: signal, logger: logger, environment: environment)
        let (agentAddresses, continuation) = AsyncStream<String>.makeStream()
        let agent = Agent.makeApplication(setup: setup, inbox: inbox, signal: signal, services: services, logger: logger) { address in
            continuation.yield(address)
            continuation.finish()
        }
        let agentGroup = ServiceGroup(configuration: .init(services: [agent], logger: logger))
        async let agentRun: Void = agentGroup.run()
        guard let address = await agentAddresses.first(where: { _ in true }) else { throw DemoError("the agent did not start") }

        var summary = DemoSummary()
        let interval = 1 / max(rate, 0.1)
        let end = ContinuousClock.now + duration
        var nextReport = ContinuousClock.now + .seconds(1)
        var generator = SystemRandomNumberGenerator()
        while ContinuousClock.now < end {
            let id = stripe.add(1)[0]
            summary.generated += 1
            if Double.random(in: 0..<1, using: &generator) < drop {
                summary.dropped += 1
            } else {
                await Self.sendWebhook(body: stripe.body(of: id), secret: secret, to: address, logger: logger)
            }
            if ContinuousClock.now >= nextReport {
                try await Self.count(inbox, into: &summary)
                report(summary)
                nextReport = ContinuousClock.now + .seconds(1)
            }
            try await Task.sleep(for: .seconds(interval))
        }
        // Let polling recover the last dropped webhooks and the worker finish.
        let settleBy = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < settleBy {
            try await Self.count(inbox, into: &summary)
            report(summary)
            if summary.settled { break }
            try await Task.sleep(for: .seconds(1))
        }
        await agentGroup.triggerGracefulShutdown()
        await simulatorGroup.triggerGracefulShutdown()
        try await agentRun
        try await simulatorRun
        try await Self.count(inbox, into: &summary)
        try await inbox.shutdown()
        return summary
    }

    /// The file in the data directory where the demo's handler writes the id of each event it
    /// is given, a line each, as an application keeps a ledger: what was really delivered.
    public static let ledger = "handled.txt"

    /// The route's command: reads the event from stdin and appends its id to `ledger`.
    static func handler(ledger: String) -> [String] {
        ["/bin/sh", "-c", "cat > /dev/null && echo \"$HOOKSYNC_EVENT_ID\" >> \"$0\"", ledger]
    }

    private static func listening(router: Router<BasicRequestContext>, logger: Logger) -> (AsyncStream<Int>, some Service) {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "simulated-stripe"),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger
        )
        return (ports, app)
    }

    /// Posts a webhook signed as Stripe signs it; a failure is just one more dropped webhook.
    private static func sendWebhook(body: [UInt8], secret: String, to address: String, logger: Logger) async {
        var request = HTTPClientRequest(url: "http://\(address)/webhooks/demo")
        request.method = .POST
        let headers = StripeSignature().sign(WebhookRequest(headers: [:], body: body), secret: Secret(secret), id: "", timestamp: Date())
        request.headers.add(fields: headers)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            _ = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        } catch {
            logger.debug("demo webhook not delivered", metadata: ["error": "\(error)"])
        }
    }

    private static func count(_ inbox: any Inbox, into summary: inout DemoSummary) async throws {
        let status = try await inbox.status()
        let source = status.sources.first { $0.source == "demo" }
        summary.byWebhook = source?.byOrigin[EventOrigin.webhook.rawValue] ?? 0
        summary.recoveredByPolling = source?.byOrigin[EventOrigin.poll.rawValue] ?? 0
        summary.duplicates = source?.duplicates ?? 0
        summary.delivered = status.routes.first?.done ?? 0
        summary.dead = status.routes.first?.dead ?? 0
    }
}

/// A demo that cannot run; the message says what failed.
public struct DemoError: Error, Sendable, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
