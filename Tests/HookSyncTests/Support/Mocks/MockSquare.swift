import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

@testable import HookSync
@testable import HookSyncCore

/// Square's `POST /v2/events` (SearchEvents) as squareup's models describe it: `limit` 1–100
/// (default 100), `query.filter.created_at.start_at`, `sort.order`, an opaque `cursor` that is
/// valid only with the same query, `{"events", "metadata", "cursor"}` answers.
final class MockSquare: MockProvider {
    let provider = "square"
    let api = MockAPI()
    let token = "EAAAmock_square_personal_token"
    let key = "sq_mock_signature_key"
    var environment: [String: String] { ["MOCK_KEY": token, "MOCK_SECRET": key] }
    private let events = Mutex<[[String: any Sendable]]>([])
    private let sequence = Atomic<Int>(0)

    @discardableResult
    func add(_ count: Int, at date: Date = Date()) -> [String] {
        (0..<count).map { _ in
            let n = sequence.wrappingAdd(1, ordering: .relaxed).newValue
            let id = String(format: "00000000-0000-4000-8000-%012d", n)
            let event: [String: any Sendable] = [
                "merchant_id": "6SSW7HV8K2ST5", "type": "payment.created", "event_id": id,
                "created_at": TimestampFormat.rfc3339.format(date),
                "data": [
                    "type": "payment", "id": "pay\(n)",
                    "object": ["payment": ["id": "pay\(n)", "status": "APPROVED"] as [String: String]] as [String: any Sendable],
                ] as [String: any Sendable],
            ]
            events.withLock { $0.append(event) }
            return id
        }
    }

    func webhook(_ id: String) -> (headers: HTTPFields, body: String) {
        let body = MockAPI.encode(events.withLock { $0.first { $0["event_id"] as? String == id } } ?? [:])
        let url = "https://hooks.example.com/webhooks/src"
        let code = HMACAlgorithm.sha256.authenticationCode(for: Array((url + body).utf8), key: .init(data: Array(key.utf8)))
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[HTTPField.Name("x-square-hmacsha256-signature")!] = Data(code).base64EncodedString()
        return (headers, body)
    }

    func configure(_ source: inout SourceConfig) {}

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v2/events") { request, _ in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            return self.api.intercept(request, body: body) ?? self.search(request, body: body)
        }
    }

    private func search(_ request: Request, body: String) -> Response {
        guard request.headers[.authorization] == "Bearer \(token)" else {
            return MockAPI.json(401, ["errors": [["category": "AUTHENTICATION_ERROR", "code": "UNAUTHORIZED", "detail": "bad token"]]])
        }
        guard var object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] else {
            return MockAPI.json(400, ["errors": [["category": "INVALID_REQUEST_ERROR", "code": "BAD_REQUEST", "detail": "not JSON"]]])
        }
        let limit = object["limit"] as? Int ?? 100
        let cursor = object.removeValue(forKey: "cursor") as? String
        let query = object["query"] as? [String: Any] ?? [:]
        let filter = query["filter"] as? [String: Any] ?? [:]
        let startAt = ((filter["created_at"] as? [String: Any])?["start_at"] as? String).flatMap { TimestampFormat.rfc3339.parse($0) }
        let ascending = ((query["sort"] as? [String: Any])?["order"] as? String ?? "DESC") == "ASC"
        var offset = 0
        if let cursor {
            // The cursor names its query: another query with it is an error, as Square documents.
            let parts = cursor.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let value = Int(parts[0]), String(parts[1]) == MockAPI.encode(object).hashValue.description else {
                return MockAPI.json(
                    400,
                    ["errors": [["category": "INVALID_REQUEST_ERROR", "code": "INVALID_CURSOR", "detail": "cursor does not match the query"]]]
                )
            }
            offset = value
        }
        var matching = events.withLock { $0 }.filter { event in
            guard let startAt else { return true }
            return (TimestampFormat.rfc3339.parse(event["created_at"] as? String ?? "") ?? .distantPast) >= startAt
        }
        if !ascending { matching.reverse() }
        let page = Array(matching.dropFirst(offset).prefix(limit))
        var answer: [String: Any] = [
            "events": page,
            "metadata": page.map { ["event_id": $0["event_id"] ?? "", "api_version": "2025-10-16"] },
        ]
        if offset + limit < matching.count { answer["cursor"] = "\(offset + limit):\(MockAPI.encode(object).hashValue)" }
        return MockAPI.json(200, answer)
    }
}
