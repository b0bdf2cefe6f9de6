import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

@testable import HookSync
@testable import HookSyncCore

/// WooCommerce's `GET /wp-json/wc/v3/orders` as its REST API documentation and controller
/// describe it: basic auth with the consumer key and secret, `modified_after` (exclusive, read
/// as UTC with `dates_are_gmt=true`), `orderby=modified` with ties broken by id, `order`,
/// `per_page` 1–100 (default 10), `page`; answers a JSON array with `X-WP-Total`,
/// `X-WP-TotalPages` and a `Link` header whose `rel="next"` repeats the query with the next page.
/// Its webhooks carry the order as that endpoint shows it, signed as `WC_Webhook` signs.
final class MockWooCommerce: MockProvider {
    let provider = "woocommerce"
    let api = MockAPI()
    let consumerKey = "ck_0123456789abcdef0123456789abcdef01234567"
    let consumerSecret = "cs_76543210fedcba9876543210fedcba9876543210"
    let secret = "wc_webhook_secret_mock"
    var environment: [String: String] { ["MOCK_KEY": "\(consumerKey):\(consumerSecret)", "MOCK_SECRET": secret] }
    private let orders = Mutex<[Int: [String: any Sendable]]>([:])
    /// Each order's `date_modified_gmt` as a time, for the listing's filter and order.
    private let modified = Mutex<[Int: Date]>([:])
    private let sequence = Atomic<Int>(700)

    @discardableResult
    func add(_ count: Int, at date: Date = Date()) -> [String] {
        (0..<count).map { _ in
            let id = sequence.wrappingAdd(1, ordering: .relaxed).newValue
            let order: [String: any Sendable] = [
                "id": id, "status": "processing", "currency": "EUR", "total": "29.35",
                "date_created_gmt": TimestampFormat.utc.format(date), "date_modified_gmt": TimestampFormat.utc.format(date),
            ]
            orders.withLock { $0[id] = order }
            modified.withLock { $0[id] = TimestampFormat.utc.parse(TimestampFormat.utc.format(date)) }
            return "order/\(id)@\(TimestampFormat.utc.format(date))"
        }
    }

    /// The webhook `order.updated` sends for an order in the state `id` names.
    func webhook(_ id: String) -> (headers: HTTPFields, body: String) {
        let number = Int(id.dropFirst("order/".count).prefix { $0 != "@" }) ?? 0
        let body = MockAPI.encode(orders.withLock { $0[number] } ?? [:])
        let code = HMAC<SHA256>.authenticationCode(for: Array(body.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[HTTPField.Name("X-WC-Webhook-Topic")!] = "order.updated"
        headers[HTTPField.Name("X-WC-Webhook-Resource")!] = "order"
        headers[HTTPField.Name("X-WC-Webhook-Event")!] = "updated"
        headers[HTTPField.Name("X-WC-Webhook-Delivery-ID")!] = String(number, radix: 16)
        headers[HTTPField.Name("X-WC-Webhook-Signature")!] = Data(code).base64EncodedString()
        return (headers, body)
    }

    func configure(_ source: inout SourceConfig) {}

    func register(on router: Router<BasicRequestContext>) {
        router.get("/wp-json/wc/v3/orders") { request, _ in
            if let fault = self.api.intercept(request) { return fault }
            await self.api.waitIfHeld()
            return self.list(request)
        }
    }

    private func list(_ request: Request) -> Response {
        let expected = "Basic " + Data("\(consumerKey):\(consumerSecret)".utf8).base64EncodedString()
        guard request.headers[.authorization] == expected else {
            return MockAPI.json(
                401,
                ["code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot list resources.", "data": ["status": 401]]
            )
        }
        let query = MockAPI.query(request)
        guard query["dates_are_gmt"] == "true", query["orderby"] == "modified" else {
            return MockAPI.json(400, ["code": "mock_unsupported", "message": "this mock lists by modified time in UTC only"])
        }
        let perPage = Int(query["per_page"] ?? "") ?? 10
        guard (1...100).contains(perPage) else {
            return MockAPI.json(
                400,
                ["code": "rest_invalid_param", "message": "Invalid parameter(s): per_page", "data": ["status": 400]]
            )
        }
        let page = max(Int(query["page"] ?? "") ?? 1, 1)
        let after = query["modified_after"].flatMap { TimestampFormat.utc.parse($0) }
        let times = modified.withLock { $0 }
        let all = orders.withLock { $0 }
        var ids = times.filter { time in after.map { time.value > $0 } ?? true }.map(\.key)
        ids.sort { (times[$0] ?? .distantPast, $0) < (times[$1] ?? .distantPast, $1) }
        var matching = ids.compactMap { all[$0] }
        if query["order"] != "asc" { matching.reverse() }
        let pages = max((matching.count + perPage - 1) / perPage, 1)
        let slice = Array(matching.dropFirst((page - 1) * perPage).prefix(perPage))
        var headers = HTTPFields()
        headers[HTTPField.Name("X-WP-Total")!] = String(matching.count)
        headers[HTTPField.Name("X-WP-TotalPages")!] = String(pages)
        if page < pages {
            var next = URLComponents()
            next.scheme = "http"
            next.host = "127.0.0.1"
            next.port = request.head.authority.flatMap { Int($0.split(separator: ":").last ?? "") }
            next.path = "/wp-json/wc/v3/orders"
            var items = query.filter { $0.key != "page" }.map { URLQueryItem(name: $0.key, value: $0.value) }
            items.append(URLQueryItem(name: "page", value: String(page + 1)))
            next.queryItems = items.sorted { $0.name < $1.name }
            headers[HTTPField.Name("Link")!] = "<\(next.string ?? "")>; rel=\"next\""
        }
        return MockAPI.json(200, slice, headers: headers)
    }
}
