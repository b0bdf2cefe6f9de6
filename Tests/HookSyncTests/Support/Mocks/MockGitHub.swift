import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

@testable import HookSync
@testable import HookSyncCore

/// GitHub's repository hook deliveries API as githubkit's models and go-github's tests describe
/// it: newest first, `per_page` (default 30, max 100), an opaque `cursor` in `Link: rel="next"`,
/// one delivery with `request.headers` and `request.payload`, and `POST …/attempts` → 202.
final class MockGitHub: MockProvider {
    let provider = "github"
    let api = MockAPI()
    let token = "ghp_mockToken0123456789"
    let secret = "gh_mock_webhook_secret"
    let repository = "octocat/Hello-World"
    let hookID = "292430182"
    var environment: [String: String] { ["MOCK_KEY": token, "MOCK_SECRET": secret] }

    private struct Delivery {
        var id: Int
        var guid: String
        var deliveredAt: Date
        var payload: String
    }

    /// Oldest first.
    private let deliveries = Mutex<[Delivery]>([])
    private let redeliveries = Mutex<[String]>([])
    private let vanished = Mutex<Set<String>>([])

    /// The delivery stays listed but its detail answers 404, as when GitHub has purged it.
    func vanish(_ guid: String) {
        vanished.withLock { _ = $0.insert(guid) }
    }
    private let sequence = Atomic<Int>(0)

    var redelivered: [String] { redeliveries.withLock { $0 } }

    @discardableResult
    func add(_ count: Int, at date: Date = Date()) -> [String] {
        (0..<count).map { _ in
            let n = sequence.wrappingAdd(1, ordering: .relaxed).newValue
            let guid = String(format: "72d3162e-cc78-11e3-81ab-%012d", n)
            let payload = MockAPI.encode([
                "action": "opened", "issue": ["number": n, "title": "Issue \(n)"],
                "repository": ["id": 1_296_269, "full_name": repository], "sender": ["login": "octocat", "id": 1],
            ])
            deliveries.withLock { $0.append(Delivery(id: 12_077_215_000 + n, guid: guid, deliveredAt: date, payload: payload)) }
            return guid
        }
    }

    private func headers(_ delivery: Delivery) -> [String: String] {
        let code = HMACAlgorithm.sha256.authenticationCode(for: Array(delivery.payload.utf8), key: .init(data: Array(secret.utf8)))
        return [
            "Content-Type": "application/json", "X-GitHub-Event": "issues", "X-GitHub-Delivery": delivery.guid,
            "X-GitHub-Hook-ID": hookID, "X-Hub-Signature-256": "sha256=" + HexEncoding.encode(code),
            "User-Agent": "GitHub-Hookshot/044aadd",
        ]
    }

    func webhook(_ id: String) -> (headers: HTTPFields, body: String) {
        guard let delivery = deliveries.withLock({ $0.first { $0.guid == id } }) else { return (HTTPFields(), "") }
        var fields = HTTPFields()
        for (name, value) in headers(delivery) { fields[HTTPField.Name(name)!] = value }
        return (fields, delivery.payload)
    }

    func configure(_ source: inout SourceConfig) {
        source.polling.repository = repository
        source.polling.hookID = hookID
    }

    func register(on router: Router<BasicRequestContext>) {
        let path = "/repos/octocat/Hello-World/hooks/\(hookID)/deliveries"
        router.get(RouterPath(path)) { request, _ in self.api.intercept(request) ?? self.list(request) }
        router.get(RouterPath(path + "/:id")) { request, context in self.detail(request, id: context.parameters.get("id") ?? "") }
        router.post(RouterPath(path + "/:id/attempts")) { request, context in
            self.redeliver(request, id: context.parameters.get("id") ?? "")
        }
    }

    private func authorized(_ request: Request) -> Bool {
        request.headers[.authorization] == "Bearer \(token)" && request.headers[HTTPField.Name("X-GitHub-Api-Version")!] != nil
    }

    private func item(_ delivery: Delivery) -> [String: Any] {
        [
            "id": delivery.id, "guid": delivery.guid, "delivered_at": ISO8601DateFormatter().string(from: delivery.deliveredAt),
            "redelivery": false, "duration": 0.31, "status": "OK", "status_code": 200, "event": "issues", "action": "opened",
            "installation_id": NSNull(), "repository_id": 1_296_269, "throttled_at": NSNull(),
        ]
    }

    private func list(_ request: Request) -> Response {
        guard authorized(request) else { return MockAPI.json(401, ["message": "Bad credentials"]) }
        let query = MockAPI.query(request)
        let perPage = min(100, query["per_page"].flatMap { Int(String($0)) } ?? 30)
        let newestFirst = Array(deliveries.withLock { $0 }.reversed())
        var start = 0
        if let cursor = query["cursor"] {
            guard cursor.hasPrefix("v1_"), let id = Int(cursor.dropFirst(3)), let index = newestFirst.firstIndex(where: { $0.id == id }) else {
                return MockAPI.json(422, ["message": "Validation Failed"])
            }
            start = index + 1
        }
        let page = newestFirst.dropFirst(start).prefix(perPage)
        var headers = HTTPFields()
        if start + perPage < newestFirst.count, let last = page.last {
            headers[HTTPField.Name("Link")!] =
                "<http://\(request.head.authority ?? "127.0.0.1")\(request.uri.path)?per_page=\(perPage)&cursor=v1_\(last.id)>; rel=\"next\""
        }
        return MockAPI.json(200, page.map(item), headers: headers)
    }

    private func detail(_ request: Request, id: String) -> Response {
        guard authorized(request) else { return MockAPI.json(401, ["message": "Bad credentials"]) }
        guard let delivery = deliveries.withLock({ $0.first { String($0.id) == id } }), !vanished.withLock({ $0.contains(delivery.guid) })
        else {
            return MockAPI.json(404, ["message": "Not Found"])
        }
        var object = item(delivery)
        object["url"] = "https://hooks.example.com/webhooks/src"
        object["request"] = ["headers": headers(delivery), "payload": try! JSONSerialization.jsonObject(with: Data(delivery.payload.utf8))]
        object["response"] = ["headers": [:] as [String: String], "payload": "ok"]
        return MockAPI.json(200, object)
    }

    private func redeliver(_ request: Request, id: String) -> Response {
        guard authorized(request) else { return MockAPI.json(401, ["message": "Bad credentials"]) }
        guard let delivery = deliveries.withLock({ $0.first { String($0.id) == id } }) else {
            return MockAPI.json(404, ["message": "Not Found"])
        }
        redeliveries.withLock { $0.append(delivery.guid) }
        return MockAPI.json(202, [:] as [String: String])
    }
}
