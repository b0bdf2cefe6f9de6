import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

@testable import HookSync
@testable import HookSyncCore

/// What every mock provider API shares: a log of list requests, scripted failures by request
/// number (counting retries) and hooks that run before a given request is answered.
final class MockAPI: Sendable {
    struct Fault: Sendable {
        var status: Int
        var retryAfter: String?
    }

    private struct State {
        var gates: [Int: Gate] = [:]
        var faults: [Int: [Fault]] = [:]
        var hooks: [Int: @Sendable () -> Void] = [:]
        var requests: [String] = []
    }

    private let state = Mutex(State())

    /// Makes the `number`-th list request (1-based) and the ones after it fail, one per fault.
    func fail(request number: Int, with faults: [Fault]) {
        state.withLock { $0.faults[number] = faults }
    }

    /// Runs `action` just before the `number`-th list request is answered.
    func onRequest(_ number: Int, _ action: @escaping @Sendable () -> Void) {
        state.withLock { $0.hooks[number] = action }
    }

    var requests: [String] { state.withLock { $0.requests } }

    /// Holds the `number`-th list request unanswered until the gate opens.
    func hold(request number: Int) -> Gate {
        let gate = Gate()
        state.withLock { $0.gates[number] = gate }
        return gate
    }

    /// An answer held back, as a slow provider or a network stall would.
    final class Gate: Sendable {
        private let stream: AsyncStream<Void>
        private let continuation: AsyncStream<Void>.Continuation

        init() {
            (stream, continuation) = AsyncStream<Void>.makeStream()
        }

        func open() { continuation.finish() }

        func wait() async {
            for await _ in stream {}
        }
    }

    /// Waits at the gate of the request just logged, if it has one.
    func waitIfHeld() async {
        let gate = state.withLock { $0.gates.removeValue(forKey: $0.requests.count) }
        await gate?.wait()
    }

    /// Logs a list request; answers it with a scripted fault, or runs its hook and returns nil.
    func intercept(_ request: Request, body: String = "") -> Response? {
        let (fault, hook) = state.withLock { state -> (Fault?, (@Sendable () -> Void)?) in
            state.requests.append(request.uri.description + (body.isEmpty ? "" : " " + body))
            let number = state.requests.count
            guard var faults = state.faults.removeValue(forKey: number), !faults.isEmpty else {
                return (nil, state.hooks.removeValue(forKey: number))
            }
            let fault = faults.removeFirst()
            if !faults.isEmpty { state.faults[number + 1] = faults }
            return (fault, nil)
        }
        if let fault {
            var headers = HTTPFields()
            if let retryAfter = fault.retryAfter { headers[.retryAfter] = retryAfter }
            return Self.json(fault.status, ["errors": [["code": "MOCK_FAULT", "detail": "mock fault"]]], headers: headers)
        }
        hook?()
        return nil
    }

    /// The query with names and values percent-decoded, as a provider's server reads it.
    static func query(_ request: Request) -> [String: String] {
        let items = URLComponents(string: "?" + (request.uri.query ?? ""))?.queryItems ?? []
        return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
    }

    static func json(_ status: Int, _ object: Any, headers: HTTPFields = HTTPFields()) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Response(status: .init(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func encode(_ object: Any) -> String {
        String(
            decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data(),
            as: UTF8.self
        )
    }
}

/// A mock provider: its API, its events, and the webhooks it would send for them.
protocol MockProvider: Sendable {
    var provider: String { get }
    var api: MockAPI { get }
    /// Environment holding the API key and webhook secret the source refers to.
    var environment: [String: String] { get }
    /// Creates `count` events at `date`; returns their ids in creation order.
    @discardableResult func add(_ count: Int, at date: Date) -> [String]
    /// The webhook request the provider sends for an event it holds.
    func webhook(_ id: String) -> (headers: HTTPFields, body: String)
    func register(on router: Router<BasicRequestContext>)
    /// The source's provider-specific keys (repository, hook id…).
    func configure(_ source: inout SourceConfig)
}

extension MockProvider {
    func application() -> some ApplicationProtocol {
        let router = Router()
        register(on: router)
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    func source(base: String, mode: SourceMode, recoverAfter: Int = 3) -> SourceConfig {
        var polling = PollingSettings()
        polling.recoverAfter = recoverAfter
        var source = SourceConfig(
            name: "src",
            provider: provider,
            mode: mode,
            webhookSecrets: mode == .poll ? [] : [.environment("MOCK_SECRET")],
            webhookURL: "https://hooks.example.com/webhooks/src",
            apiKey: .environment("MOCK_KEY"),
            apiBase: base,
            polling: polling
        )
        configure(&source)
        return source
    }
}
