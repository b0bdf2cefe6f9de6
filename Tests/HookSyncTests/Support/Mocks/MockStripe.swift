import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

@testable import HookSync

/// Stripe's `GET /v1/events` as stripe-python and the API reference describe it: newest first,
/// `limit` 1–100 (default 10), `starting_after` for older pages, `ending_before` for newer ones,
/// `created[gte]`, bearer auth, Stripe's error JSON.
final class MockStripe: MockProvider {
    let provider = "stripe"
    let api = MockAPI()
    let apiKey = "sk_test_mock_51Hooksync"
    let secret = "whsec_mock_stripe_secret_0123456789"
    var environment: [String: String] { ["MOCK_KEY": apiKey, "MOCK_SECRET": secret] }
    /// Oldest first.
    private let events = Mutex<[[String: any Sendable]]>([])
    private let sequence = Atomic<Int>(0)

    @discardableResult
    func add(_ count: Int, at date: Date = Date()) -> [String] {
        (0..<count).map { _ in
            let n = sequence.wrappingAdd(1, ordering: .relaxed).newValue
            let id = String(format: "evt_mock%08d", n)
            let event: [String: any Sendable] = [
                "id": id, "object": "event", "api_version": "2024-06-20", "created": Int(date.timeIntervalSince1970),
                "data": ["object": ["id": "in_\(n)", "object": "invoice"]], "livemode": false, "pending_webhooks": 0,
                "request": ["id": NSNull(), "idempotency_key": NSNull()], "type": "invoice.paid",
            ]
            events.withLock { $0.append(event) }
            return id
        }
    }

    func webhook(_ id: String) -> (headers: HTTPFields, body: String) {
        let body = MockAPI.encode(events.withLock { $0.first { $0["id"] as? String == id } } ?? [:])
        var headers = StripeSignature().sign(WebhookRequest(headers: [:], body: Array(body.utf8)), secret: Secret(secret), id: id, timestamp: Date())
        headers[.contentType] = "application/json"
        return (headers, body)
    }

    func configure(_ source: inout SourceConfig) {}

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/events") { request, _ in
            if let fault = self.api.intercept(request) { return fault }
            await self.api.waitIfHeld()
            return self.list(request)
        }
    }

    private func list(_ request: Request) -> Response {
        guard request.headers[.authorization] == "Bearer \(apiKey)" else {
            return MockAPI.json(401, ["error": ["type": "invalid_request_error", "message": "Invalid API Key provided"]])
        }
        let query = request.uri.queryParameters
        let limit = query["limit"].flatMap { Int(String($0)) } ?? 10
        guard (1...100).contains(limit) else {
            return MockAPI.json(400, ["error": ["type": "invalid_request_error", "message": "limit must be 1-100"]])
        }
        let after = query["starting_after"].map(String.init)
        let before = query["ending_before"].map(String.init)
        if after != nil && before != nil {
            return MockAPI.json(400, ["error": ["type": "invalid_request_error", "message": "starting_after and ending_before are exclusive"]])
        }
        let gte = query["created[gte]"].flatMap { Int(String($0)) }
        let newestFirst = events.withLock { $0 }.reversed().filter { gte == nil || ($0["created"] as? Int ?? 0) >= gte! }
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
        return MockAPI.json(200, ["object": "list", "url": "/v1/events", "has_more": hasMore, "data": Array(page)])
    }

    private static func missing(_ id: String) -> Response {
        MockAPI.json(404, ["error": ["type": "invalid_request_error", "message": "No such event: '\(id)'", "param": "id"]])
    }
}
