import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Stripe's `GET /v1/events` as stripe-python and the API reference describe it: newest first,
/// `limit` 1–100 (default 10), `starting_after` for older pages, `ending_before` for newer ones,
/// `created[gte]` filters, bearer auth, Stripe's error JSON, `Retry-After` on 429.
final class MockStripe: Sendable {
    struct Fault: Sendable {
        var status: Int
        var retryAfter: String?
    }

    private struct State {
        /// Oldest first.
        var events: [[String: any Sendable]] = []
        var faults: [Int: [Fault]] = [:]
        var requests: [String] = []
        var served = 0
        var onServe: [Int: @Sendable () -> Void] = [:]
    }

    let apiKey = "sk_test_mock_51Hooksync"
    private let state = Mutex(State())
    private let sequence = Atomic<Int>(0)

    /// Adds `count` events of `type`, created at `created` (defaults to now), oldest first.
    @discardableResult
    func add(_ count: Int, type: String = "invoice.paid", created: Date = Date()) -> [String] {
        (0..<count).map { _ in
            let n = sequence.wrappingAdd(1, ordering: .relaxed).newValue
            let id = String(format: "evt_mock%08d", n)
            let event: [String: any Sendable] = [
                "id": id, "object": "event", "api_version": "2024-06-20", "created": Int(created.timeIntervalSince1970),
                "data": ["object": ["id": "in_\(n)", "object": "invoice"]], "livemode": false, "pending_webhooks": 0,
                "request": ["id": NSNull(), "idempotency_key": NSNull()], "type": type,
            ]
            state.withLock { $0.events.append(event) }
            return id
        }
    }

    /// The webhook body Stripe would send for a stored event.
    func body(of id: String) -> String {
        let event = state.withLock { $0.events.first { $0["id"] as? String == id } } ?? [:]
        return String(decoding: try! JSONSerialization.data(withJSONObject: event, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Makes the `request`-th list request (1-based, counting retries) fail with these answers first.
    func fail(request number: Int, with faults: [Fault]) {
        state.withLock { $0.faults[number] = faults }
    }

    /// Runs `action` just before answering the `number`-th request (to create events mid-pass).
    func onRequest(_ number: Int, _ action: @escaping @Sendable () -> Void) {
        state.withLock { $0.onServe[number] = action }
    }

    var requests: [String] { state.withLock { $0.requests } }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.get("/v1/events") { request, _ in self.list(request) }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    private func list(_ request: Request) -> Response {
        let (number, fault, action) = state.withLock { state -> (Int, Fault?, (@Sendable () -> Void)?) in
            state.served += 1
            state.requests.append(request.uri.description)
            let fault = state.faults[state.served].flatMap { $0.isEmpty ? nil : $0 }
            if fault != nil {
                let remaining = Array(state.faults[state.served]!.dropFirst())
                state.faults[state.served] = nil
                if !remaining.isEmpty { state.faults[state.served + 1] = remaining }
            }
            return (state.served, fault?.first, state.onServe.removeValue(forKey: state.served))
        }
        _ = number
        if let fault {
            var headers = HTTPFields()
            if let retryAfter = fault.retryAfter { headers[.retryAfter] = retryAfter }
            return Self.json(fault.status, ["error": ["type": "api_error", "message": "mock fault"]], headers: headers)
        }
        action?()
        guard request.headers[.authorization] == "Bearer \(apiKey)" else {
            return Self.json(401, ["error": ["type": "invalid_request_error", "message": "Invalid API Key provided"]])
        }
        let query = request.uri.queryParameters
        let limit = query["limit"].flatMap { Int(String($0)) } ?? 10
        guard (1...100).contains(limit) else {
            return Self.json(400, ["error": ["type": "invalid_request_error", "message": "limit must be 1-100"]])
        }
        let after = query["starting_after"].map(String.init)
        let before = query["ending_before"].map(String.init)
        if after != nil && before != nil {
            return Self.json(400, ["error": ["type": "invalid_request_error", "message": "starting_after and ending_before are exclusive"]])
        }
        let gte = query["created[gte]"].flatMap { Int(String($0)) }
        let newestFirst = state.withLock { $0.events }.reversed().filter { gte == nil || ($0["created"] as? Int ?? 0) >= gte! }
        let ids = newestFirst.map { $0["id"] as? String ?? "" }
        var page: ArraySlice<[String: any Sendable]>
        var hasMore: Bool
        if let before {
            guard let index = ids.firstIndex(of: before) else { return Self.missing(before) }
            let start = max(0, index - limit)
            page = newestFirst[start..<index]
            hasMore = start > 0
        } else {
            var start = 0
            if let after {
                guard let index = ids.firstIndex(of: after) else { return Self.missing(after) }
                start = index + 1
            }
            page = newestFirst[start..<min(newestFirst.count, start + limit)]
            hasMore = start + limit < newestFirst.count
        }
        return Self.json(200, ["object": "list", "url": "/v1/events", "has_more": hasMore, "data": Array(page)])
    }

    private static func missing(_ id: String) -> Response {
        json(404, ["error": ["type": "invalid_request_error", "message": "No such event: '\(id)'", "param": "id"]])
    }

    static func json(_ status: Int, _ object: Any, headers: HTTPFields = HTTPFields()) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Response(status: .init(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
