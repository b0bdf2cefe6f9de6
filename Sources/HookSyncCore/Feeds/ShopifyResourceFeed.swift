public import Foundation

/// Shopify reconciliation: Admin REST resources (`orders` by default) updated since the cursor,
/// `status=any` so that closed and cancelled orders are seen, paged by the `Link` header.
///
/// Each resource becomes the event its webhook would have been (`orders/create` when it was
/// never updated, else `orders/updated`), so the provider file's dedup key — the resource and
/// its `updated_at` — matches the webhook's. Shopify does not document the list order, so the
/// cursor (the newest `updated_at`) moves only when a pass has read every page.
public struct ShopifyResourceFeed: EventFeed {
    public var baseURL: String
    public var accessToken: String
    public var resource: String
    public var apiVersion: String
    public var overlap: Duration
    public var pageSize: Int

    public init(
        baseURL: String,
        accessToken: String,
        resource: String = "orders",
        apiVersion: String = "2025-07",
        overlap: Duration = .seconds(300),
        pageSize: Int = 250
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.accessToken = accessToken
        self.resource = resource
        self.apiVersion = apiVersion
        self.overlap = overlap
        self.pageSize = pageSize
    }

    public func firstRequest(cursor: String?, since: Date) -> FeedRequest {
        let start = CursorTime.start(cursor: cursor, since: since, overlap: overlap)
        // Only limit and page_info may accompany page_info, so every filter goes here.
        let query = FeedJSON.query([
            ("status", "any"), ("updated_at_min", TimestampFormat.rfc3339.format(start)), ("limit", String(pageSize)),
        ])
        var state: [String: String] = [:]
        state["newest"] = cursor
        return FeedRequest(url: "\(baseURL)/admin/api/\(apiVersion)/\(resource).json?\(query)", headers: headers, state: state)
    }

    public func page(_ response: FeedResponse, for request: FeedRequest) throws(FeedError) -> FeedPage {
        let object = try FeedJSON.object(response.body, what: "Shopify \(resource).json")
        guard let items = object[resource] as? [[String: Any]] else {
            throw FeedError("Shopify \(resource).json: no \"\(resource)\" array")
        }
        var newest = request.state["newest"]
        var events: [PolledEvent] = []
        for item in items {
            let updated = item["updated_at"] as? String
            let created = item["created_at"] as? String
            let topic = "\(resource)/" + (updated != nil && updated == created ? "create" : "updated")
            do {
                events.append(try PolledEvent(headers: ["X-Shopify-Topic": topic], json: item))
            } catch {
                throw FeedError("Shopify \(resource).json: a resource cannot be re-encoded")
            }
            newest = CursorTime.later(newest, updated)
        }
        guard let link = FeedJSON.nextLink(response.headers["link"]) else {
            return FeedPage(events: events, cursor: newest)
        }
        var state = request.state
        state["newest"] = newest
        return FeedPage(events: events, next: FeedRequest(url: link, headers: headers, state: state))
    }

    private var headers: [String: String] { ["X-Shopify-Access-Token": accessToken, "Accept": "application/json"] }
}
