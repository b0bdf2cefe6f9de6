import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A local stand-in for Stripe's `GET /v1/events`, for `hooksync demo` and the tests: newest
/// first, `limit` 1–100 (default 10), `starting_after`, `ending_before`, `created[gte]`, bearer
/// auth and Stripe's error JSON, as stripe-python and the API reference describe them.
public final class SimulatedStripe: Sendable {
    public let apiKey: String
    /// Oldest first.
    private let events = Mutex<[[String: any Sendable]]>([])
    private let sequence = Atomic<Int>(0)

    public init(apiKey: String) {
        self.apiKey = apiKey
    }

    public var count: Int { events.withLock { $0.count } }

    /// Creates `count` events at `date`; returns their ids, oldest first.
    @discardableResult
    public func add(_ count: Int, type: String = "invoice.paid", at date: Date = Date()) -> [String] {
        (0..<count).map { _ in
            let n = sequence.wrappingAdd(1, ordering: .relaxed).newValue
            let id = String(format: "evt_sim%08d", n)
            let event: [String: any Sendable] = [
                "id": id, "object": "event", "api_version": "2024-06-20", "created": Int(date.timeIntervalSince1970),
                "data": ["object": ["id": "in_\(n)", "object": "invoice", "amount_paid": 1000 + n] as [String: any Sendable]],
                "livemode": false, "pending_webhooks": 1, "request": ["id": NSNull(), "idempotency_key": NSNull()] as [String: any Sendable],
                "type": type,
            ]
            events.withLock { $0.append(event) }
            return id
        }
    }

    /// The event as its webhook body.
    public func body(of id: String) -> [UInt8] {
        let event = events.withLock { $0.first { $0["id"] as? String == id } } ?? [:]
        return Array((try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys])) ?? Data())
    }

    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/v1/events") { request, _ in self.list(request) }
    }

    /// Answers one list request.
    public func list(_ request: Request) -> Response {
        guard request.headers[.authorization] == "Bearer \(apiKey)" else {
            return Self.error(401, "Invalid API Key provided")
        }
        // Names are percent-decoded too: clients send created%5Bgte%5D and types%5B%5D.
        let items = URLComponents(string: "?" + (request.uri.query ?? ""))?.queryItems ?? []
        let query = Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
        let limit = query["limit"].flatMap { Int($0) } ?? 10
        guard (1...100).contains(limit) else { return Self.error(400, "limit must be between 1 and 100") }
        let after = query["starting_after"]
        let before = query["ending_before"]
        if after != nil && before != nil { return Self.error(400, "starting_after and ending_before cannot both be set") }
        let gte = query["created[gte]"].flatMap { Int($0) } ?? .min
        // Both array forms: the docs' types[]=a and stripe-python's indexed types[0]=a.
        let types = Set(items.filter { $0.name.hasPrefix("types[") && $0.name.hasSuffix("]") }.compactMap(\.value))
        guard types.count <= 20 else { return Self.error(400, "types: at most 20 event types") }
        let newestFirst = events.withLock { $0 }.reversed().filter {
            ($0["created"] as? Int ?? 0) >= gte && (types.isEmpty || types.contains($0["type"] as? String ?? ""))
        }
        let ids = newestFirst.map { $0["id"] as? String ?? "" }
        let page: ArraySlice<[String: any Sendable]>
        let hasMore: Bool
        if let before {
            guard let index = ids.firstIndex(of: before) else { return Self.error(404, "No such event: '\(before)'") }
            let start = max(0, index - limit)
            page = newestFirst[start..<index]
            hasMore = start > 0
        } else {
            var start = 0
            if let after {
                guard let index = ids.firstIndex(of: after) else { return Self.error(404, "No such event: '\(after)'") }
                start = index + 1
            }
            page = newestFirst[start..<min(newestFirst.count, start + limit)]
            hasMore = start + limit < newestFirst.count
        }
        return Self.json(200, ["object": "list", "url": "/v1/events", "has_more": hasMore, "data": Array(page)])
    }

    static func error(_ status: Int, _ message: String) -> Response {
        json(status, ["error": ["type": "invalid_request_error", "message": message]])
    }

    static func json(_ status: Int, _ object: Any) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Response(status: .init(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
