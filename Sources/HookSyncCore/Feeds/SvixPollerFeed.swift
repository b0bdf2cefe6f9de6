public import Foundation

/// A Svix polling endpoint (`…/poller/{sink}`): messages in the order they were sent, walked
/// with an opaque `iterator` that becomes the cursor page by page; `done` means caught up.
///
/// The first call of a new consumer returns no data and an iterator: the backfill window is
/// whatever the endpoint keeps from there on.
public struct SvixPollerFeed: EventFeed {
    public var endpoint: String
    public var token: String
    public var pageSize: Int

    public init(endpoint: String, token: String, pageSize: Int = 100) {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.token = token
        self.pageSize = pageSize
    }

    public func firstRequest(cursor: String?, since: Date) -> FeedRequest {
        request(iterator: cursor)
    }

    public func page(_ response: FeedResponse, for request: FeedRequest) throws(FeedError) -> FeedPage {
        let object = try FeedJSON.object(response.body, what: "Svix poller")
        guard let data = object["data"] as? [[String: Any]], let iterator = object["iterator"] as? String else {
            throw FeedError("Svix poller: no data array or iterator")
        }
        var events: [PolledEvent] = []
        for message in data {
            guard let id = message["id"] as? String, let payload = message["payload"] else {
                throw FeedError("Svix poller: a message without id or payload")
            }
            var headers = ["svix-id": id, "webhook-id": id]
            if let timestamp = message["timestamp"] as? String { headers["svix-timestamp"] = timestamp }
            do {
                events.append(try PolledEvent(headers: headers, json: payload))
            } catch {
                throw FeedError("Svix poller: a payload cannot be re-encoded")
            }
        }
        let done = object["done"] as? Bool ?? true
        return FeedPage(events: events, cursor: iterator, next: done || data.isEmpty ? nil : self.request(iterator: iterator))
    }

    private func request(iterator: String?) -> FeedRequest {
        var parameters = [("limit", String(pageSize))]
        if let iterator { parameters.append(("iterator", iterator)) }
        return FeedRequest(url: endpoint + "?" + FeedJSON.query(parameters), headers: ["Authorization": "Bearer \(token)"])
    }
}
