public import Foundation

/// Square's `POST /v2/events` (SearchEvents), oldest first.
///
/// Each pass queries `created_at.start_at` from the cursor (the newest `created_at` stored)
/// minus an overlap, since Square does not say whether the bound is inclusive or how events of
/// one instant are ordered; the overlap's repeats are deduplicated by `event_id`. Square
/// requires the same query with every `cursor`.
public struct SquareEventFeed: EventFeed {
    public var baseURL: String
    public var accessToken: String
    public var overlap: Duration
    public var version: String

    public init(
        baseURL: String = "https://connect.squareup.com",
        accessToken: String,
        overlap: Duration = .seconds(300),
        version: String = "2025-10-16"
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.accessToken = accessToken
        self.overlap = overlap
        self.version = version
    }

    public func firstRequest(cursor: String?, since: Date) -> FeedRequest {
        let startAt = TimestampFormat.rfc3339.format(CursorTime.start(cursor: cursor, since: since, overlap: overlap))
        return request(startAt: startAt, pageCursor: nil, newest: cursor)
    }

    public func page(_ response: FeedResponse, for request: FeedRequest) throws(FeedError) -> FeedPage {
        let object = try FeedJSON.object(response.body, what: "Square /v2/events")
        if let errors = object["errors"] as? [[String: Any]], !errors.isEmpty {
            let detail = errors.compactMap { $0["detail"] as? String ?? $0["code"] as? String }.joined(separator: "; ")
            throw FeedError("Square /v2/events: \(detail)")
        }
        let items = object["events"] as? [[String: Any]] ?? []
        var events: [PolledEvent] = []
        var newest = request.state["newest"]
        for item in items {
            do {
                events.append(try PolledEvent(headers: [:], json: item))
            } catch {
                throw FeedError("Square /v2/events: an event cannot be re-encoded")
            }
            newest = CursorTime.later(newest, item["created_at"] as? String)
        }
        let pageCursor = (object["cursor"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        let next = pageCursor.map { self.request(startAt: request.state["start_at"] ?? "", pageCursor: $0, newest: newest) }
        return FeedPage(events: events, cursor: newest, next: next)
    }

    private func request(startAt: String, pageCursor: String?, newest: String?) -> FeedRequest {
        var query: [String: Any] = [
            "limit": 100,
            "query": [
                "filter": ["created_at": ["start_at": startAt]],
                "sort": ["field": "DEFAULT", "order": "ASC"],
            ],
        ]
        if let pageCursor { query["cursor"] = pageCursor }
        let body = (try? JSONSerialization.data(withJSONObject: query, options: [.sortedKeys])) ?? Data()
        var state = ["start_at": startAt]
        state["newest"] = newest
        return FeedRequest(
            method: "POST",
            url: "\(baseURL)/v2/events",
            headers: ["Authorization": "Bearer \(accessToken)", "Content-Type": "application/json", "Square-Version": version],
            body: Array(body),
            state: state
        )
    }
}
