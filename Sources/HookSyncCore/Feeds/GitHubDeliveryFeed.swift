public import Foundation

/// GitHub's hook deliveries API (`/repos/{owner}/{repo}/hooks/{id}/deliveries` or the
/// organisation's), which lists attempts newest first and pages by `Link`.
///
/// A pass reads back to the cursor (the newest `delivered_at` seen), groups attempts by
/// `guid`, and for each guid the inbox lacks fetches one delivery and takes its
/// `request.payload` and `request.headers`, as GitHub's own redelivery script does. With
/// `redeliver` it asks GitHub to redeliver instead. The cursor moves when the pass ends.
public struct GitHubDeliveryFeed: EventFeed {
    public enum Owner: Sendable, Equatable {
        case repository(String)
        case organization(String)
    }

    public var baseURL: String
    public var token: String
    public var owner: Owner
    public var hookID: String
    public var redeliver: Bool

    public init(baseURL: String = "https://api.github.com", token: String, owner: Owner, hookID: String, redeliver: Bool = false) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.owner = owner
        self.hookID = hookID
        self.redeliver = redeliver
    }

    var deliveriesURL: String {
        switch owner {
        case .repository(let repository): "\(baseURL)/repos/\(repository)/hooks/\(hookID)/deliveries"
        case .organization(let organization): "\(baseURL)/orgs/\(organization)/hooks/\(hookID)/deliveries"
        }
    }

    public func firstRequest(cursor: String?, since: Date) -> FeedRequest {
        let floor = cursor.flatMap { TimestampFormat.rfc3339.parse($0) } ?? since
        return FeedRequest(
            url: deliveriesURL + "?per_page=100",
            headers: headers,
            state: ["floor": TimestampFormat.rfc3339.format(floor)]
        )
    }

    public func page(_ response: FeedResponse, for request: FeedRequest) throws(FeedError) -> FeedPage {
        let items = try FeedJSON.array(response.body, what: "GitHub deliveries")
        let floor = request.state["floor"].flatMap { TimestampFormat.rfc3339.parse($0) } ?? .distantPast
        var state = request.state
        var seen = Set((request.state["seen"] ?? "").split(separator: " ").map(String.init))
        var candidates: [FeedPage.Candidate] = []
        var reachedFloor = false
        for item in items {
            guard let guid = item["guid"] as? String, let id = (item["id"] as? NSNumber)?.stringValue,
                let deliveredText = item["delivered_at"] as? String, let delivered = TimestampFormat.rfc3339.parse(deliveredText)
            else { throw FeedError("GitHub deliveries: an item without guid, id or delivered_at") }
            if delivered < floor {
                reachedFloor = true
                break
            }
            if state["newest"] == nil { state["newest"] = deliveredText }
            guard seen.insert(guid).inserted else { continue }
            let url = "\(deliveriesURL)/\(id)" + (redeliver ? "/attempts" : "")
            candidates.append(
                FeedPage.Candidate(
                    dedupKey: "\(hookID):\(guid)",
                    request: FeedRequest(method: redeliver ? "POST" : "GET", url: url, headers: headers),
                    redeliver: redeliver
                )
            )
        }
        state["seen"] = seen.sorted().joined(separator: " ")
        guard !reachedFloor, let link = FeedJSON.nextLink(response.headers["link"]) else {
            return FeedPage(candidates: candidates, cursor: state["newest"])
        }
        return FeedPage(candidates: candidates, next: FeedRequest(url: link, headers: headers, state: state))
    }

    public func candidate(_ response: FeedResponse, for request: FeedRequest) throws(FeedError) -> PolledEvent? {
        let delivery = try FeedJSON.object(response.body, what: "GitHub delivery")
        guard let original = delivery["request"] as? [String: Any], let payload = original["payload"], !(payload is NSNull) else {
            throw FeedError("GitHub delivery: no request.payload")
        }
        var headers: [String: String] = [:]
        for (name, value) in original["headers"] as? [String: Any] ?? [:] {
            if let text = value as? String { headers[name] = text }
        }
        // Older deliveries may lack the hook id header; the deliveries API path names it.
        if !headers.keys.contains(where: { $0.lowercased() == "x-github-hook-id" }) { headers["X-GitHub-Hook-ID"] = hookID }
        do {
            let delivered = (delivery["delivered_at"] as? String).flatMap { TimestampFormat.rfc3339.parse($0) }
            return try PolledEvent(headers: headers, json: payload, occurredAt: delivered)
        } catch {
            throw FeedError("GitHub delivery: request.payload cannot be re-encoded")
        }
    }

    private var headers: [String: String] {
        [
            "Authorization": "Bearer \(token)", "Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "hooksync",
        ]
    }
}
