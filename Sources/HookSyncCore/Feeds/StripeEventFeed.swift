public import Foundation

/// Stripe's `GET /v1/events`, which lists newest first.
///
/// Catching up from a cursor walks towards newer events with `ending_before`: each page is
/// processed in reverse and its newest id becomes the cursor in the same transaction, so a crash
/// between pages resumes exactly there (as stripe-python's auto-pager does). Without a cursor a
/// pass lists `created[gte]` the backfill start with `starting_after`, from newest to oldest,
/// and sets the cursor to the newest id only when the window is done.
public struct StripeEventFeed: EventFeed {
    public var baseURL: String
    public var apiKey: String
    public var pageSize: Int
    /// Exact event types to list (`types[]`, at most 20), when the routes want no others.
    public var types: [String]

    public init(baseURL: String = "https://api.stripe.com", apiKey: String, pageSize: Int = 100, types: [String] = []) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.pageSize = pageSize
        self.types = types.count <= 20 ? types : []
    }

    public func firstRequest(cursor: String?, since: Date) -> FeedRequest {
        if let cursor {
            return request([("ending_before", cursor)], state: ["mode": "forward"])
        }
        let created = String(Int(since.timeIntervalSince1970))
        return request([("created[gte]", created)], state: ["mode": "backfill", "created": created])
    }

    public func page(_ response: FeedResponse, for request: FeedRequest) throws(FeedError) -> FeedPage {
        let list = try FeedJSON.object(response.body, what: "Stripe /v1/events")
        guard let data = list["data"] as? [[String: Any]] else { throw FeedError("Stripe /v1/events: no data array") }
        let hasMore = list["has_more"] as? Bool ?? false
        var ids: [String] = []
        for item in data {
            guard let id = item["id"] as? String else { throw FeedError("Stripe /v1/events: an event without an id") }
            ids.append(id)
        }
        var events: [PolledEvent] = []
        for item in data.reversed() {
            do {
                events.append(try PolledEvent(headers: [:], json: item))
            } catch {
                throw FeedError("Stripe /v1/events: an event cannot be re-encoded")
            }
        }
        if request.state["mode"] == "forward" {
            // data[0] is the newest event of the page: the cursor, and the next page's anchor.
            guard let newest = ids.first else { return FeedPage() }
            let next = hasMore ? self.request([("ending_before", newest)], state: ["mode": "forward"]) : nil
            return FeedPage(events: events, cursor: newest, next: next)
        }
        let newest = request.state["newest"] ?? ids.first
        guard hasMore, let oldest = ids.last else {
            return FeedPage(events: events, cursor: newest)
        }
        var state = request.state
        state["newest"] = newest
        let next = self.request([("created[gte]", request.state["created"] ?? "0"), ("starting_after", oldest)], state: state)
        return FeedPage(events: events, next: next)
    }

    private func request(_ parameters: [(String, String)], state: [String: String]) -> FeedRequest {
        FeedRequest(
            url: "\(baseURL)/v1/events?" + FeedJSON.query(parameters + [("limit", String(pageSize))] + types.map { ("types[]", $0) }),
            headers: ["Authorization": "Bearer \(apiKey)"],
            state: state
        )
    }
}
