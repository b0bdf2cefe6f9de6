import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

@testable import HookSync
@testable import HookSyncCore

/// Two small APIs that hooksync polls without provider-specific code: a Svix polling endpoint
/// (Svix's documented `iterator`/`done` shape) and an in-house event API described by a
/// provider file (`style = "generic"`), oldest first with a `next` cursor.
final class MockMessages: Sendable {
    let token = "sk_poll_mock"
    /// Oldest first.
    private let messages = Mutex<[[String: any Sendable]]>([])
    private let sequence = Atomic<Int>(0)
    let api = MockAPI()

    @discardableResult
    func add(_ count: Int) -> [String] {
        (0..<count).map { _ in
            let n = sequence.wrappingAdd(1, ordering: .relaxed).newValue
            let id = String(format: "msg_%08d", n)
            messages.withLock {
                $0.append([
                    "id": id, "eventType": "invoice.paid", "timestamp": TimestampFormat.rfc3339.format(Date()),
                    "payload": ["type": "invoice.paid", "timestamp": TimestampFormat.rfc3339.format(Date()), "data": ["n": n]]
                        as [String: any Sendable],
                ])
            }
            return id
        }
    }

    var count: Int { messages.withLock { $0.count } }

    func register(on router: Router<BasicRequestContext>) {
        // Svix: GET …/poller/{sink}?limit=&iterator=; the first call returns no data, only an iterator.
        router.get("/api/v1/app/app_mock/poller/poll_mock") { request, _ in
            if let fault = self.api.intercept(request) { return fault }
            guard request.headers[.authorization] == "Bearer \(self.token)" else { return MockAPI.json(401, ["code": "authentication_failed"]) }
            let query = MockAPI.query(request)
            let limit = min(250, query["limit"].flatMap { Int(String($0)) } ?? 50)
            guard let iterator = query["iterator"] else {
                return MockAPI.json(200, ["data": [] as [String], "iterator": "it_\(self.count)", "done": true])
            }
            guard iterator.hasPrefix("it_"), let offset = Int(iterator.dropFirst(3)) else {
                return MockAPI.json(422, ["code": "validation", "detail": "bad iterator"])
            }
            let all = self.messages.withLock { $0 }
            let page = Array(all.dropFirst(offset).prefix(limit))
            let done = offset + page.count >= all.count
            return MockAPI.json(200, ["data": page, "iterator": "it_\(offset + page.count)", "done": done])
        }
        // In-house: GET /v2/activity?after=&limit=, X-Api-Key, {"data": [...], "next": id, "has_more": bool}.
        router.get("/v2/activity") { request, _ in
            if let fault = self.api.intercept(request) { return fault }
            guard request.headers[HTTPField.Name("X-Api-Key")!] == self.token else { return MockAPI.json(401, ["error": "unauthorized"]) }
            let query = MockAPI.query(request)
            let limit = min(100, query["limit"].flatMap { Int(String($0)) } ?? 20)
            let all = self.messages.withLock { $0 }
            var start = 0
            if let after = query["after"] {
                guard let index = all.firstIndex(where: { $0["id"] as? String == after }) else {
                    return MockAPI.json(400, ["error": "unknown cursor"])
                }
                start = index + 1
            }
            let page = Array(all.dropFirst(start).prefix(limit))
            let items = page.map { ["id": $0["id"] ?? "", "kind": "invoice.paid", "at": $0["timestamp"] ?? ""] }
            var answer: [String: Any] = ["data": items, "has_more": start + page.count < all.count]
            answer["next"] = page.last?["id"] ?? query["after"] ?? NSNull()
            return MockAPI.json(200, answer)
        }
    }

    func application() -> some ApplicationProtocol {
        let router = Router()
        register(on: router)
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }
}
