public import Foundation
public import HTTPTypes
import HookSync
public import Hummingbird
public import NIOCore
import Synchronization

/// A local stand-in for Stripe's `GET /v1/events`, for `hooksync demo` and the tests: newest
/// first, `limit` 1–100 (default 10), `starting_after`, `ending_before`, `created[gte]`, bearer
/// auth and Stripe's error JSON, as stripe-python and the API reference describe them.
public final class SimulatedStripe: Sendable {
    /// One listed event: what the filters read, and its JSON serialized once when added, so a
    /// page of a 100,000-event history costs what Stripe's would, not a re-encode of everything.
    struct Stored: Sendable {
        let id: String
        let type: String
        let created: Int
        let json: [UInt8]
    }

    public let apiKey: String
    /// Oldest first, with each id's position.
    private let events = Mutex<(list: [Stored], index: [String: Int])>(([], [:]))
    private let sequence = Atomic<Int>(0)

    public init(apiKey: String) {
        self.apiKey = apiKey
    }

    public var count: Int { events.withLock { $0.list.count } }

    /// Every event id, oldest first.
    public var ids: [String] { events.withLock { $0.list.map(\.id) } }

    /// Creates `count` events at `date`; returns their ids, oldest first.
    @discardableResult
    public func add(_ count: Int, type: String = "invoice.paid", at date: Date = Date(), customer: String? = nil) -> [String] {
        let created = Int(date.timeIntervalSince1970)
        let added = (0..<count).map { _ in
            let n = sequence.wrappingAdd(1, ordering: .relaxed).newValue
            let id = String(format: "evt_sim%08d", n)
            var invoice: [String: any Sendable] = ["id": "in_\(n)", "object": "invoice", "amount_paid": 1000 + n]
            if let customer { invoice["customer"] = customer }
            let event: [String: any Sendable] = [
                "id": id, "object": "event", "api_version": "2024-06-20", "created": created,
                "data": ["object": invoice],
                "livemode": false, "pending_webhooks": 1, "request": ["id": NSNull(), "idempotency_key": NSNull()] as [String: any Sendable],
                "type": type,
            ]
            let json = (try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys])) ?? Data()
            return Stored(id: id, type: type, created: created, json: Array(json))
        }
        events.withLock { events in
            for event in added {
                events.index[event.id] = events.list.count
                events.list.append(event)
            }
        }
        return added.map(\.id)
    }

    /// The event as its webhook body.
    public func body(of id: String) -> [UInt8] {
        events.withLock { events in events.index[id].map { events.list[$0].json } } ?? Array("{}".utf8)
    }

    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/v1/events") { request, _ in self.list(request) }
    }

    /// Answers one list request.
    public func list(_ request: Request) -> Response {
        let page = page(request)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: page.status, headers: headers, body: ResponseBody(byteBuffer: page.body))
    }

    /// One list request's answer as bytes, and how many events it lists: for mocks that
    /// corrupt, delay or cut the answer on purpose.
    public func page(_ request: Request) -> (status: HTTPResponse.Status, body: ByteBuffer, events: Int) {
        guard request.headers[.authorization] == "Bearer \(apiKey)" else {
            return Self.errorPage(401, "Invalid API Key provided")
        }
        // Names are percent-decoded too: clients send created%5Bgte%5D and types%5B%5D.
        let items = URLComponents(string: "?" + (request.uri.query ?? ""))?.queryItems ?? []
        let query = Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
        let limit = query["limit"].flatMap { Int($0) } ?? 10
        guard (1...100).contains(limit) else { return Self.errorPage(400, "limit must be between 1 and 100") }
        let after = query["starting_after"]
        let before = query["ending_before"]
        if after != nil && before != nil { return Self.errorPage(400, "starting_after and ending_before cannot both be set") }
        let gte = query["created[gte]"].flatMap { Int($0) } ?? .min
        // Both array forms: the docs' types[]=a and stripe-python's indexed types[0]=a.
        let types = Set(items.filter { $0.name.hasPrefix("types[") && $0.name.hasSuffix("]") }.compactMap(\.value))
        guard types.count <= 20 else { return Self.errorPage(400, "types: at most 20 event types") }
        let (list, index) = events.withLock { ($0.list, $0.index) }
        func matches(_ position: Int) -> Bool {
            list[position].created >= gte && (types.isEmpty || types.contains(list[position].type))
        }
        /// Up to `limit + 1` matching positions walking `positions`: the page, and whether more follow.
        func walk(_ positions: some Sequence<Int>) -> (page: [Int], hasMore: Bool) {
            var page: [Int] = []
            for position in positions where matches(position) {
                if page.count == limit { return (page, true) }
                page.append(position)
            }
            return (page, false)
        }
        // Pages cost their own length, not the history's: a 100,000-event backfill stays fast.
        let page: [Int]
        let hasMore: Bool
        if let before {
            guard let anchor = index[before] else { return Self.errorPage(404, "No such event: '\(before)'") }
            let newer = walk((anchor + 1)..<list.count)
            (page, hasMore) = (newer.page.reversed(), newer.hasMore)
        } else if let after {
            guard let anchor = index[after] else { return Self.errorPage(404, "No such event: '\(after)'") }
            (page, hasMore) = walk((0..<anchor).reversed())
        } else {
            (page, hasMore) = walk(list.indices.reversed())
        }
        var body = ByteBuffer(string: #"{"data":["#)
        for (offset, position) in page.enumerated() {
            if offset > 0 { body.writeString(",") }
            body.writeBytes(list[position].json)
        }
        body.writeString(#"],"has_more":\#(hasMore),"object":"list","url":"/v1/events"}"#)
        return (.ok, body, page.count)
    }

    static func errorPage(_ status: Int, _ message: String) -> (status: HTTPResponse.Status, body: ByteBuffer, events: Int) {
        let object = ["error": ["type": "invalid_request_error", "message": message]]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return (.init(code: status), ByteBuffer(bytes: data), 0)
    }
}
