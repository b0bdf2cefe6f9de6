import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

@testable import HookSync
@testable import HookSyncCore

/// Shopify's Admin REST `orders.json` as its pagination docs describe it: `status` defaults to
/// open, `updated_at_min`, `limit` (default 50, max 250), `Link` `page_info` cursors with which
/// only `limit` and `fields` may be sent, `X-Shopify-Access-Token` auth.
final class MockShopify: MockProvider {
    let provider = "shopify"
    let api = MockAPI()
    let token = "shpat_mock_access_token"
    let secret = "shopify_mock_client_secret"
    var environment: [String: String] { ["MOCK_KEY": token, "MOCK_SECRET": secret] }

    /// Oldest first; each is one order state, as a webhook carries it.
    private let orders = Mutex<[[String: any Sendable]]>([])
    private let sequence = Atomic<Int>(0)

    /// Shopify writes times in the shop's zone.
    static func shopTime(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(secondsFromGMT: -4 * 3600)
        return formatter.string(from: date)
    }

    /// Creates `count` orders at `date`; returns their dedup keys (resource and updated_at).
    @discardableResult
    func add(_ count: Int, at date: Date = Date()) -> [String] {
        (0..<count).map { _ in
            let n = sequence.wrappingAdd(1, ordering: .relaxed).newValue
            let id = 820_982_911_946_000_000 + n
            let time = Self.shopTime(date)
            let order: [String: any Sendable] = [
                "id": id, "admin_graphql_api_id": "gid://shopify/Order/\(id)", "name": "#\(1000 + n)", "financial_status": "paid",
                "created_at": time, "updated_at": time, "cancelled_at": NSNull(),
            ]
            orders.withLock { $0.append(order) }
            return "gid://shopify/Order/\(id)@\(time)"
        }
    }

    func webhook(_ key: String) -> (headers: HTTPFields, body: String) {
        let order = orders.withLock { $0.first { "\($0["admin_graphql_api_id"] ?? "")@\($0["updated_at"] ?? "")" == key } } ?? [:]
        let body = MockAPI.encode(order)
        let code = HMACAlgorithm.sha256.authenticationCode(for: Array(body.utf8), key: .init(data: Array(secret.utf8)))
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[HTTPField.Name("X-Shopify-Topic")!] = "orders/create"
        headers[HTTPField.Name("X-Shopify-Hmac-Sha256")!] = Data(code).base64EncodedString()
        headers[HTTPField.Name("X-Shopify-Shop-Domain")!] = "mock.myshopify.com"
        headers[HTTPField.Name("X-Shopify-API-Version")!] = "2025-07"
        headers[HTTPField.Name("X-Shopify-Webhook-Id")!] = UUID().uuidString.lowercased()
        headers[HTTPField.Name("X-Shopify-Event-Id")!] = UUID().uuidString.lowercased()
        headers[HTTPField.Name("X-Shopify-Triggered-At")!] = TimestampFormat.rfc3339.format(Date())
        return (headers, body)
    }

    func configure(_ source: inout SourceConfig) {}

    func register(on router: Router<BasicRequestContext>) {
        router.get("/admin/api/2025-07/orders.json") { request, _ in self.api.intercept(request) ?? self.list(request) }
    }

    private func list(_ request: Request) -> Response {
        guard request.headers[HTTPField.Name("X-Shopify-Access-Token")!] == token else {
            return MockAPI.json(401, ["errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"])
        }
        let query = MockAPI.query(request)
        let limit = query["limit"].flatMap { Int(String($0)) } ?? 50
        guard (1...250).contains(limit) else { return MockAPI.json(400, ["errors": ["limit": "must be at most 250"]]) }
        var offset = 0
        var status = query["status"] ?? "open"
        var updatedMin = query["updated_at_min"]
        if let pageInfo = query["page_info"] {
            let extra = query.map { String($0.key) }.filter { !["page_info", "limit", "fields"].contains($0) }
            guard extra.isEmpty else {
                return MockAPI.json(400, ["errors": ["page_info": "Cannot use \(extra.joined(separator: ", ")) with page_info"]])
            }
            guard let data = Data(base64Encoded: pageInfo),
                let state = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let at = state["offset"] as? Int
            else { return MockAPI.json(400, ["errors": ["page_info": "Invalid value."]]) }
            offset = at
            status = state["status"] as? String ?? "open"
            updatedMin = state["updated_at_min"] as? String
        }
        let floor = updatedMin.flatMap { TimestampFormat.rfc3339.parse($0) }
        let matching = orders.withLock { $0 }.reversed().filter { order in
            (status == "any" || order["cancelled_at"] is NSNull)
                && (floor.map { (TimestampFormat.rfc3339.parse(order["updated_at"] as? String ?? "") ?? .distantPast) >= $0 } ?? true)
        }
        let page = Array(matching.dropFirst(offset).prefix(limit))
        var headers = HTTPFields()
        if offset + limit < matching.count {
            var state: [String: Any] = ["offset": offset + limit, "status": status]
            state["updated_at_min"] = updatedMin
            let info = (try! JSONSerialization.data(withJSONObject: state)).base64EncodedString()
            let encoded = info.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? info
            headers[HTTPField.Name("Link")!] =
                "<http://\(request.head.authority ?? "127.0.0.1")\(request.uri.path)?limit=\(limit)&page_info=\(encoded)>; rel=\"next\""
        }
        return MockAPI.json(200, ["orders": page], headers: headers)
    }
}
