import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

@testable import HookSync
@testable import HookSyncCore

/// Paddle Billing's `GET /events` as its API reference and SDKs describe it: a Bearer API key,
/// `after` (an event id), `order_by` `id[ASC]` or `id[DESC]`, `per_page` up to 200 (default
/// 50, larger values clamped), answers `{"data": [...], "meta": {"request_id", "pagination":
/// {"per_page", "next", "has_more", "estimated_total"}}}` where `next` repeats the query with
/// `after` set to the page's last id. Event ids sort in creation order, as Paddle's do.
final class MockPaddle: MockProvider {
    let provider = "paddle"
    let api = MockAPI()
    let apiKey = "pdl_live_apikey_01hv8wptq8987qeep44cyrs0p9_mock"
    let secret = "pdl_ntfset_01hv8wptq8987qeep44cyrs0p9_mocksecret"
    var environment: [String: String] { ["MOCK_KEY": apiKey, "MOCK_SECRET": secret] }
    private let events = Mutex<[[String: any Sendable]]>([])
    private let sequence = Atomic<Int>(0)

    @discardableResult
    func add(_ count: Int, at date: Date = Date()) -> [String] {
        (0..<count).map { _ in
            let n = sequence.wrappingAdd(1, ordering: .relaxed).newValue
            // evt_ and 26 lowercase characters, increasing like Paddle's time-ordered ids.
            let id = "evt_01hv" + String(format: "%022d", n)
            let event: [String: any Sendable] = [
                "event_id": id, "event_type": "transaction.completed", "occurred_at": TimestampFormat.rfc3339.format(date),
                "data": ["id": "txn_01hv" + String(format: "%022d", n), "status": "completed"] as [String: String],
            ]
            events.withLock { $0.append(event) }
            return id
        }
    }

    /// A webhook carries the event and the notification's own id, signed over `ts:body`.
    func webhook(_ id: String) -> (headers: HTTPFields, body: String) {
        var event = events.withLock { $0.first { $0["event_id"] as? String == id } } ?? [:]
        event["notification_id"] = "ntf_01hv" + id.suffix(22)
        let body = MockAPI.encode(event)
        let scheme = StripeSignature(
            header: HTTPField.Name("Paddle-Signature")!,
            tolerance: .seconds(5),
            separator: UInt8(ascii: ";"),
            timestampKey: "ts",
            signatureKey: "h1",
            joiner: ":"
        )
        var headers = scheme.sign(WebhookRequest(headers: [:], body: Array(body.utf8)), secret: Secret(secret), id: id, timestamp: Date())
        headers[.contentType] = "application/json"
        return (headers, body)
    }

    /// Paddle's 5 s window is checked by the vectors; here webhooks are signed when the test
    /// builds them, and a loaded machine may take longer than that to post them all.
    func configure(_ source: inout SourceConfig) {
        source.tolerance = .seconds(120)
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/events") { request, _ in
            if let fault = self.api.intercept(request) { return fault }
            await self.api.waitIfHeld()
            return self.list(request)
        }
    }

    private func list(_ request: Request) -> Response {
        guard request.headers[.authorization] == "Bearer \(apiKey)" else {
            return MockAPI.json(
                403,
                [
                    "error": ["type": "request_error", "code": "forbidden", "detail": "You aren't permitted to perform this request."],
                    "meta": ["request_id": UUID().uuidString.lowercased()],
                ]
            )
        }
        let query = MockAPI.query(request)
        let perPage = min(max(Int(query["per_page"] ?? "") ?? 50, 1), 200)
        let ascending: Bool
        switch query["order_by"] ?? "id[DESC]" {
        case "id[ASC]": ascending = true
        case "id[DESC]": ascending = false
        default:
            return MockAPI.json(400, ["error": ["type": "request_error", "code": "bad_request", "detail": "invalid order_by"]])
        }
        var matching = events.withLock { $0 }
        if !ascending { matching.reverse() }
        if let after = query["after"] {
            matching = matching.filter {
                let id = $0["event_id"] as? String ?? ""
                return ascending ? id > after : id < after
            }
        }
        let page = Array(matching.prefix(perPage))
        let hasMore = matching.count > page.count
        var next = URLComponents()
        next.scheme = "https"
        next.host = "api.paddle.com"
        next.path = "/events"
        var items = query.filter { $0.key != "after" }.map { URLQueryItem(name: $0.key, value: $0.value) }
        if let last = page.last?["event_id"] as? String { items.append(URLQueryItem(name: "after", value: last)) }
        next.queryItems = items.sorted { $0.name < $1.name }
        return MockAPI.json(
            200,
            [
                "data": page,
                "meta": [
                    "request_id": UUID().uuidString.lowercased(),
                    "pagination": ["per_page": perPage, "next": next.string ?? "", "has_more": hasMore, "estimated_total": matching.count],
                ] as [String: Any],
            ]
        )
    }
}
