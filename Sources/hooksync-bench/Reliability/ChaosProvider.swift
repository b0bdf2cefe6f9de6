import AsyncHTTPClient
import Crypto
import Foundation
import HookSync
import HookSyncCore
import HookSyncDemo
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A Stripe account that misbehaves on purpose: it creates events, pushes each as a webhook
/// signed exactly as Stripe signs it (`Stripe-Signature: t=…,v1=…`), and serves them on
/// `GET /v1/events` — dropping, repeating, delaying and reordering webhooks, and failing its
/// event API in every way the poller must survive, as the scenario asks.
final class ChaosProvider: Sendable {
    /// How the webhooks of a batch of events travel.
    struct WebhookFaults: Sendable {
        /// Share of events whose webhook is never sent.
        var drop = 0.0
        /// Share of events sent 2 or 3 times.
        var duplicate = 0.0
        /// Each copy leaves after a random delay up to this, so copies arrive out of order.
        var maxDelay: Duration = .zero
        /// Waits before each retry of a copy the agent did not answer with 2xx, as Stripe
        /// retries; empty for a single try.
        var retries: [Duration] = []
    }

    /// What a 429 asks the poller to wait: longer than every wait the poller would make of
    /// its own in these scenarios (a first retry's backoff of at most 1 s, a 1 s poll
    /// interval), so that a poller ignoring it is caught.
    static let retryAfter = Duration.seconds(5)

    /// What the event API does wrong, one kind per faulty request in turn.
    enum APIFault: String, CaseIterable, Sendable {
        case serverError = "500"
        case rateLimited = "429 with Retry-After: 5"
        case truncated = "truncated JSON"
        case slow = "slow answer (3 s)"
        case reset = "connection reset mid-answer"
    }

    struct APIRequest: Sendable {
        var at: ContinuousClock.Instant
        var fault: APIFault?
        var events: Int
    }

    /// What the provider did, for the report and the checks.
    struct Tally: Sendable {
        var created = 0
        var dropped = 0
        var duplicated = 0
        var copies = 0
        var sends = 0
        var failedSends = 0
        var gaveUp = 0
        var acknowledged: Set<String> = []
        /// Answers to webhook requests by status; 0 for none (refused, reset, timed out).
        var answers: [Int: Int] = [:]
        /// Sends that found an agent refusing connections and went to the next, as a load
        /// balancer retries another backend.
        var rerouted = 0
        var apiRequests: [APIRequest] = []
        var apiFaultsOn = false
    }

    let stripe: SimulatedStripe
    /// Its own client: connection failures while the agent is down make a client's pool back
    /// off, which must not slow the scenario's own checks.
    private let client = HTTPClient(eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton))
    private let key: SymmetricKey
    private let state: Mutex<(tally: Tally, generator: SplitMix64, targets: [String], turn: Int)>
    private let sending = Mutex<[Task<Void, Never>]>([])

    private init(bench: Workbench, seed: UInt64) {
        stripe = SimulatedStripe(apiKey: bench.apiKey)
        key = SymmetricKey(data: Array(bench.secret.utf8))
        state = Mutex((Tally(), SplitMix64(seed: seed), [], 0))
    }

    /// Starts the event API on a free port; webhooks go nowhere until `target` is set.
    static func start(bench: Workbench, seed: UInt64) async throws -> (ChaosProvider, LocalServer) {
        let provider = ChaosProvider(bench: bench, seed: seed)
        let router = Router()
        router.get("/v1/events") { request, _ in await provider.serveAPI(request) }
        router.get("/") { _, _ in "provider" }
        return (provider, try await LocalServer.start(router, name: "chaos-provider", bench: bench))
    }

    func shutdown() async {
        await settle()
        try? await client.shutdown()
    }

    var tally: Tally { state.withLock { $0.tally } }

    /// Where webhooks are posted: the agent's `/webhooks/<source>` URL.
    func target(_ url: String) { targets([url]) }

    /// Several agents behind a load balancer: each send goes to the next in turn, and to the
    /// one after when an agent refuses the connection (it is down), as nginx's
    /// `proxy_next_upstream error` does for a request not yet sent.
    func targets(_ urls: [String]) { state.withLock { $0.targets = urls } }

    func apiFaults(_ on: Bool) { state.withLock { $0.tally.apiFaultsOn = on } }

    // MARK: Webhooks

    /// Creates `count` events now and sends their webhooks as `faults` says.
    @discardableResult
    func create(_ count: Int, faults: WebhookFaults = .init()) -> [String] {
        let ids = stripe.add(count)
        for id in ids {
            let delays: [Duration] = state.withLock { state in
                state.tally.created += 1
                if Double.random(in: 0..<1, using: &state.generator) < faults.drop {
                    state.tally.dropped += 1
                    return []
                }
                var copies = 1
                if Double.random(in: 0..<1, using: &state.generator) < faults.duplicate {
                    copies = Int.random(in: 2...3, using: &state.generator)
                    state.tally.duplicated += 1
                }
                state.tally.copies += copies
                let limit = faults.maxDelay.seconds
                return (0..<copies).map { _ in .seconds(limit > 0 ? Double.random(in: 0...limit, using: &state.generator) : 0) }
            }
            for delay in delays {
                let task = Task { await self.send(id, after: delay, retries: faults.retries) }
                sending.withLock { $0.append(task) }
            }
        }
        return ids
    }

    /// Creates an event of `customer` at each of `dates` and sends their webhooks one after
    /// another, each answered before the next leaves: they arrive in occurrence order.
    func createInOrder(customer: String, at dates: [Date], retries: [Duration]) async -> [String] {
        var ids: [String] = []
        for date in dates {
            let id = stripe.add(1, at: date, customer: customer)[0]
            state.withLock { state in
                state.tally.created += 1
                state.tally.copies += 1
            }
            await send(id, after: .zero, retries: retries)
            ids.append(id)
        }
        return ids
    }

    /// Creates `rate` events a second for `duration`, in 20 batches a second.
    func stream(rate: Int, for duration: Duration, faults: WebhookFaults = .init()) async throws {
        let end = ContinuousClock.now + duration
        var next = ContinuousClock.now
        var owed = 0.0
        while next < end {
            owed += Double(rate) / 20
            let batch = Int(owed)
            owed -= Double(batch)
            if batch > 0 { create(batch, faults: faults) }
            next += .milliseconds(50)
            try await Task.sleep(until: next)
        }
    }

    /// Returns once every webhook sent so far was answered or given up.
    func settle() async {
        while true {
            let tasks = sending.withLock { tasks in
                defer { tasks.removeAll() }
                return tasks
            }
            if tasks.isEmpty { return }
            for task in tasks { await task.value }
        }
    }

    private func send(_ id: String, after delay: Duration, retries: [Duration]) async {
        if delay > .zero { try? await Task.sleep(for: delay) }
        let body = stripe.body(of: id)
        for attempt in 0...retries.count {
            if attempt > 0 { try? await Task.sleep(for: retries[attempt - 1]) }
            let targets = state.withLock { state in
                state.turn += 1
                return state.targets.indices.map { state.targets[($0 + state.turn) % state.targets.count] }
            }
            var status: HTTPResponseStatus?
            for target in targets {
                if targets.count > 1, await !Self.accepts(target) {
                    state.withLock { $0.tally.rerouted += 1 }
                    continue
                }
                var request = HTTPClientRequest(url: target)
                request.method = .POST
                let timestamp = String(Int(Date().timeIntervalSince1970))
                let mac = HMAC<SHA256>.authenticationCode(for: Array((timestamp + ".").utf8) + body, using: key)
                request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
                request.headers.add(name: "User-Agent", value: "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
                request.headers.add(name: "Stripe-Signature", value: "t=\(timestamp),v1=\(SignedEvents.hex(mac))")
                request.body = .bytes(body)
                // No answer (a timeout, a connection cut by a kill) counts as a failed send.
                status = try? await client.execute(request, timeout: .seconds(3)).status
                break
            }
            let acknowledged = status.map { (200..<300).contains(Int($0.code)) } ?? false
            state.withLock { state in
                state.tally.sends += 1
                state.tally.answers[status.map { Int($0.code) } ?? 0, default: 0] += 1
                if acknowledged { state.tally.acknowledged.insert(id) } else { state.tally.failedSends += 1 }
                if !acknowledged && attempt == retries.count { state.tally.gaveUp += 1 }
            }
            if acknowledged { return }
        }
    }

    /// Whether an agent listens at `url`, as a load balancer's connect finds out: refused at
    /// once when the agent is down. (The HTTP client would instead retry the connection until
    /// the request's deadline, which no load balancer does.)
    private static func accepts(_ url: String) async -> Bool {
        guard let port = URLComponents(string: url)?.port,
            let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
        else { return false }
        channel.close(promise: nil)
        return true
    }

    // MARK: Event API

    /// While faults are on, every other request fails, each kind of fault in turn.
    private func serveAPI(_ request: Request) async -> Response {
        let page = stripe.page(request)
        let fault: APIFault? = state.withLock { state in
            let faulty = state.tally.apiFaultsOn && state.tally.apiRequests.count % 2 == 1
            let kinds = APIFault.allCases
            let fault = faulty ? kinds[(state.tally.apiRequests.count / 2) % kinds.count] : nil
            state.tally.apiRequests.append(APIRequest(at: .now, fault: fault, events: fault == nil ? page.events : 0))
            return fault
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        switch fault {
        case nil:
            return Response(status: page.status, headers: headers, body: ResponseBody(byteBuffer: page.body))
        case .serverError:
            let body = #"{"error":{"message":"An unknown error occurred","type":"api_error"}}"#
            return Response(status: .internalServerError, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        case .rateLimited:
            headers[.retryAfter] = String(Int(Self.retryAfter.seconds))
            let body = #"{"error":{"code":"rate_limit","message":"Too many requests hit the API too quickly.","type":"invalid_request_error"}}"#
            return Response(status: .tooManyRequests, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        case .truncated:
            let cut = page.body.getSlice(at: page.body.readerIndex, length: page.body.readableBytes / 2) ?? ByteBuffer()
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: cut))
        case .slow:
            try? await Task.sleep(for: .seconds(3))
            return Response(status: page.status, headers: headers, body: ResponseBody(byteBuffer: page.body))
        case .reset:
            // Half the promised bytes, then the connection drops.
            let half = page.body.getSlice(at: page.body.readerIndex, length: page.body.readableBytes / 2) ?? ByteBuffer()
            return Response(
                status: .ok,
                headers: headers,
                body: ResponseBody(contentLength: page.body.readableBytes) { writer in
                    try await writer.write(half)
                    throw CancellationError()
                }
            )
        }
    }
}
