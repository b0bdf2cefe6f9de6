import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ServiceLifecycle

@testable import HookSync
@testable import HookSyncCore

/// An in-process agent on loopback: a real inbox file, the real receiver and, when routes are
/// given, the real worker running exec routes.
struct ReceiverHarness {
    let directory: TemporaryDirectory
    let inbox: any Inbox
    let setup: AgentSetup
    let now: @Sendable () -> Date
    let workerConcurrency: Int

    static let environment = [
        "STRIPE_SECRET": Vectors.Stripe.secret, "STD_SECRET": Vectors.StandardWebhooks.secret, "STRIPE_KEY": "sk_test_unused",
    ]

    static let sources = [
        SourceConfig(
            name: "shop",
            provider: "stripe",
            mode: .hybrid,
            webhookSecrets: [.environment("STRIPE_SECRET")],
            apiKey: .environment("STRIPE_KEY")
        ),
        SourceConfig(name: "app", provider: "standard-webhooks", webhookSecrets: [.environment("STD_SECRET")]),
        SourceConfig(name: "pull", provider: "stripe", mode: .poll, apiKey: .environment("STRIPE_KEY")),
    ]

    init(
        sources: [SourceConfig] = Self.sources,
        environment: [String: String] = Self.environment,
        routes: [RouteConfig] = [],
        providersDirectory: String? = nil,
        maxBody: Int = 4096,
        workerConcurrency: Int = 4,
        now: @escaping @Sendable () -> Date
    ) async throws {
        self.workerConcurrency = workerConcurrency
        directory = try TemporaryDirectory()
        let config = AgentConfig(
            file: "test.toml",
            dataDirectory: directory.file("data"),
            providersDirectory: providersDirectory,
            http: HTTPSettings(host: "127.0.0.1", port: 0, maxBody: maxBody),
            sources: sources,
            routes: routes
        )
        setup = try AgentSetup.prepare(config: config, environment: environment)
        inbox = try await InboxFactory.open(config: config, access: .create)
        self.now = now
    }

    /// The receiver alone: events are stored but not delivered until `application()` runs.
    func receiverOnly() -> some ApplicationProtocol {
        var logger = Logger(label: "hooksync-test")
        logger.logLevel = .warning
        let router = Router(context: ReceiverRequestContext.self)
        WebhookReceiver(setup: setup, inbox: inbox, signal: WorkSignal(), logger: logger, now: now).register(on: router)
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
    }

    func application() -> some ApplicationProtocol {
        var logger = Logger(label: "hooksync-test")
        logger.logLevel = .warning
        let signal = WorkSignal()
        let worker = DeliveryWorker(
            inbox: inbox,
            routes: setup.config.routes,
            settings: WorkerSettings(concurrency: workerConcurrency, idlePoll: .milliseconds(200)),
            signal: signal,
            logger: logger,
            clock: ContinuousClock(),
            forwardSecrets: setup.forwardSecrets
        )
        let receiver = WebhookReceiver(setup: setup, inbox: inbox, signal: signal, logger: logger, now: now)
        let router = Router(context: ReceiverRequestContext.self)
        receiver.register(on: router)
        return Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            services: [worker],
            logger: logger
        )
    }

    /// Posts a Stripe event signed with the test secret, with `id`, `type` and `created`.
    func postStripe(
        _ client: some TestClientProtocol,
        id: String,
        type: String = "invoice.paid",
        created: Int = Vectors.Stripe.timestamp,
        extra: String = ""
    ) async throws -> HTTPResponse.Status {
        let body = #"{"id":"\#(id)","object":"event","created":\#(created),"type":"\#(type)","data":{"object":{"id":"in_1"\#(extra)}}}"#
        var headers = StripeSignature().sign(
            WebhookRequest(headers: [:], body: Array(body.utf8)),
            secret: Secret(Vectors.Stripe.secret),
            id: id,
            timestamp: Date(timeIntervalSince1970: TimeInterval(Vectors.Stripe.timestamp))
        )
        headers[.contentType] = "application/json"
        return try await client.execute(uri: "/webhooks/shop", method: .post, headers: headers, body: ByteBuffer(string: body)).status
    }

    func storedEvents() async throws -> [EventSummary] {
        try await inbox.events(EventQuery(limit: 1000))
    }

    static func stripeHeaders(_ signature: String? = Vectors.Stripe.header) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if let signature { headers[HTTPField.Name("Stripe-Signature")!] = signature }
        return headers
    }

    static func standardHeaders(signature: String = Vectors.StandardWebhooks.signature) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[HTTPField.Name("webhook-id")!] = Vectors.StandardWebhooks.id
        headers[HTTPField.Name("webhook-timestamp")!] = String(Vectors.StandardWebhooks.timestamp)
        headers[HTTPField.Name("webhook-signature")!] = signature
        return headers
    }

    static let stripeNow: @Sendable () -> Date = { Date(timeIntervalSince1970: TimeInterval(Vectors.Stripe.timestamp + 10)) }
    static let standardNow: @Sendable () -> Date = {
        Date(timeIntervalSince1970: TimeInterval(Vectors.StandardWebhooks.timestamp + 10))
    }
}
