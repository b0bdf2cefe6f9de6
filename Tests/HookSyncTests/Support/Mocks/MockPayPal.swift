import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

@testable import HookSync
@testable import HookSyncCore

/// PayPal's REST API as its specification (paypal-rest-api-specifications
/// notifications_webhooks_v1.json) and authentication guide describe it: `POST /v1/oauth2/token`
/// with the app's client id and secret as basic auth and `grant_type=client_credentials`,
/// answering `access_token`, `token_type` and `expires_in`; `GET
/// /v1/notifications/webhooks-events` with the bearer token, `page_size` (default 10),
/// `start_time` and `end_time`, answering `{"events", "count", "links"}` with a `rel: "next"`
/// link while more follow. Events are listed newest first.
final class MockPayPal: Sendable {
    let clientID = "AeA1QIZXiflr1_-r0U2UbWTziOWX1GRQer5e6FIdnCwvD8cDd6y0E6jkfvk_YEFiIbsuasLtkSNsVRmy"
    let clientSecret = "EOJ0u8yxdlHbyqYoqKYI_c8B0xrObjJZa3Jvv8tD7Yu3cG2BAZ1LxQD0lsn1w2bd2Z2wnyC4J4e0bkNT"
    private let events = Mutex<[[String: any Sendable]]>([])
    private let tokens = Mutex<Set<String>>([])
    private let issued = Atomic<Int>(0)
    /// Token requests answered.
    var tokenRequests: Int { issued.load(ordering: .relaxed) }

    /// Adds an event as PayPal would list it.
    func add(_ event: [String: any Sendable]) {
        events.withLock { $0.append(event) }
    }

    @discardableResult
    func add(_ count: Int, at date: Date) -> [String] {
        (0..<count).map { _ in
            let id = "WH-\(UUID().uuidString.prefix(8).uppercased())-\(UUID().uuidString.suffix(12).uppercased())"
            add([
                "id": id, "event_version": "1.0", "create_time": TimestampFormat.rfc3339.format(date), "resource_type": "capture",
                "resource_version": "2.0", "event_type": "PAYMENT.CAPTURE.COMPLETED", "summary": "Payment completed for $ 8.00 USD",
                "resource": ["id": "42311647XV020574X", "status": "COMPLETED"] as [String: String],
            ])
            return id
        }
    }

    /// Makes every token issued so far invalid, as a rotated client secret would.
    func revokeTokens() {
        tokens.withLock { $0.removeAll() }
    }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("/v1/oauth2/token") { request, _ in
            let body = String(buffer: try await request.body.collect(upTo: 4096))
            return self.token(request, body: body)
        }
        router.get("/v1/notifications/webhooks-events") { request, _ in self.list(request) }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    private func token(_ request: Request, body: String) -> Response {
        let expected = "Basic " + Data("\(clientID):\(clientSecret)".utf8).base64EncodedString()
        guard request.headers[.authorization] == expected else {
            return MockAPI.json(401, ["error": "invalid_client", "error_description": "Client Authentication failed"])
        }
        guard body == "grant_type=client_credentials" else {
            return MockAPI.json(400, ["error": "unsupported_grant_type", "error_description": "Grant Type is NULL"])
        }
        let token = "A21AAK" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        tokens.withLock { _ = $0.insert(token) }
        issued.wrappingAdd(1, ordering: .relaxed)
        return MockAPI.json(
            200,
            [
                "scope": "https://uri.paypal.com/services/applications/webhooks", "access_token": token, "token_type": "Bearer",
                "app_id": "APP-80W284485P519543T", "expires_in": 32400, "nonce": "2026-12-03T16:00:00Z\(token.suffix(8))",
            ]
        )
    }

    private func list(_ request: Request) -> Response {
        let bearer = request.headers[.authorization].map { String($0.dropFirst("Bearer ".count)) } ?? ""
        guard tokens.withLock({ $0.contains(bearer) }) else {
            return MockAPI.json(401, ["error": "invalid_token", "error_description": "Token signature verification failed"])
        }
        let query = MockAPI.query(request)
        let pageSize = min(max(Int(query["page_size"] ?? "") ?? 10, 1), 300)
        let page = max(Int(query["page"] ?? "") ?? 1, 1)
        let start = query["start_time"].flatMap { TimestampFormat.rfc3339.parse($0) } ?? .distantPast
        let end = query["end_time"].flatMap { TimestampFormat.rfc3339.parse($0) } ?? .distantFuture
        func created(_ event: [String: any Sendable]) -> Date { TimestampFormat.rfc3339.parse(event["create_time"] as? String ?? "") ?? .distantPast }
        let matching = events.withLock { $0 }.filter { (start...end).contains(created($0)) }.reversed()
        let slice = Array(matching.dropFirst((page - 1) * pageSize).prefix(pageSize))
        var links: [[String: String]] = [["href": "http://\(request.head.authority ?? "")\(request.uri.path)", "rel": "self", "method": "GET"]]
        if page * pageSize < matching.count {
            var next = URLComponents()
            next.scheme = "http"
            next.host = "127.0.0.1"
            next.port = request.head.authority.flatMap { Int($0.split(separator: ":").last ?? "") }
            next.path = request.uri.path
            next.queryItems =
                (query.filter { $0.key != "page" }.map { URLQueryItem(name: $0.key, value: $0.value) } + [
                    URLQueryItem(name: "page", value: String(page + 1))
                ])
                .sorted { $0.name < $1.name }
            links.append(["href": next.string ?? "", "rel": "next", "method": "GET"])
        }
        return MockAPI.json(200, ["events": slice, "count": slice.count, "links": links] as [String: Any])
    }
}
