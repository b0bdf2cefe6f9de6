import ArgumentParser
import Crypto
import Foundation
import HookSync
import HookSyncCore
import HookSyncDemo
import HookSyncTesting
import Hummingbird
import NIOCore
import NIOPosix
import Synchronization

/// The HTTP ceiling of this machine: a Hummingbird route answering 200 with no work, in its own
/// process like the agent, so the two are measured alike.
struct BareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bare", abstract: "Serve the bare baseline route.")

    @Option var port: Int

    func run() async throws {
        let router = Router()
        router.post("/webhooks/{source}") { _, _ in HTTPResponse.Status.ok }
        try await serve(router, port: port, name: "bare")
    }
}

/// A local app behind a forward route: answers 200 and counts; `GET /count` tells how many
/// requests came, `GET /unique` how many distinct events (`hooksync-event-id`) among them.
struct SinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sink", abstract: "Serve the forward route's target.")

    @Option var port: Int

    func run() async throws {
        let received = Atomic<Int>(0)
        let events = Mutex<Set<String>>([])
        let router = Router()
        router.post("/sink") { request, _ in
            // Read the body as an app would.
            _ = try await request.body.collect(upTo: 1 << 20)
            let id = request.headers[.validated("hooksync-event-id")] ?? ""
            events.withLock { _ = $0.insert(id) }
            received.add(1, ordering: .relaxed)
            return HTTPResponse.Status.ok
        }
        router.get("/count") { _, _ in String(received.load(ordering: .relaxed)) }
        router.get("/unique") { _, _ in String(events.withLock { $0.count }) }
        try await serve(router, port: port, name: "sink")
    }
}

/// Stripe's `GET /v1/events` holding `--events` events, counting the pages it serves.
struct StripeAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stripe-api", abstract: "Serve a mock Stripe events API.")

    @Option var port: Int
    @Option var events: Int
    @Option(name: .customLong("api-key")) var apiKey: String

    func run() async throws {
        let stripe = SimulatedStripe(apiKey: apiKey)
        stripe.add(events, at: Date().addingTimeInterval(-3600))
        let pages = Atomic<Int>(0)
        let router = Router()
        router.get("/v1/events") { request, _ in
            pages.add(1, ordering: .relaxed)
            return stripe.list(request)
        }
        router.get("/pages") { _, _ in String(pages.load(ordering: .relaxed)) }
        try await serve(router, port: port, name: "stripe-api")
    }
}

/// Serves `router` on loopback until the process is stopped.
func serve(_ router: Router<BasicRequestContext>, port: Int, name: String) async throws {
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: name))
    try await app.runService()
}

/// The ingest load alone, against an agent started by hand: for profiling with `perf`.
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load", abstract: "Send signed Stripe events to a running agent.")

    @Option var port: Int
    @Option(help: "The source's path segment.") var source = "shop"
    @Option(name: .customLong("secret-file"), help: "The source's webhook secret.") var secretFile: String
    @Option var seconds = 10.0
    @Option var connections = 64

    func run() async throws {
        let secret = try String(contentsOfFile: secretFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let generator = LoadGenerator(group: MultiThreadedEventLoopGroup(numberOfThreads: 1))
        let requests = SignedEvents(
            path: "/webhooks/\(source)",
            host: "127.0.0.1:\(port)",
            secret: SymmetricKey(data: Array(secret.utf8)),
            run: String(UInt32.random(in: 0...UInt32.max), radix: 36)
        )
        let result = try await generator.run(.init(port: port, connections: connections, duration: .seconds(seconds), requests: requests))
        try await generator.group.shutdownGracefully()
        var measurement = Measurement("load", load: result)
        measurement.note = "\(result.failed) not acknowledged"
        print(Report(measurements: [measurement]).table())
    }
}
