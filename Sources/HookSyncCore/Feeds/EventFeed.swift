public import Foundation

/// A provider's event API as a sequence of page requests. Feeds build requests and read answers
/// but do no I/O, so their paging rules are tested without a network; `PollPass` sends the
/// requests, retries failures and stores what they yield.
public protocol EventFeed: Sendable {
    /// The first request of a pass: after `cursor` when there is one, else from `since`.
    func firstRequest(cursor: String?, since: Date) throws(FeedError) -> FeedRequest
    /// Reads one page.
    func page(_ response: FeedResponse, for request: FeedRequest) throws(FeedError) -> FeedPage
    /// Reads the answer to a candidate's request (GitHub's delivery detail).
    func candidate(_ response: FeedResponse, for request: FeedRequest) throws(FeedError) -> PolledEvent?
}

extension EventFeed {
    public func candidate(_ response: FeedResponse, for request: FeedRequest) throws(FeedError) -> PolledEvent? { nil }
}

/// JSON helpers shared by the feeds.
enum FeedJSON {
    static func object(_ body: [UInt8], what: String) throws(FeedError) -> [String: Any] {
        guard let object = try? JSONTree.parse(body) as? [String: Any] else {
            throw FeedError("\(what): the answer is not a JSON object")
        }
        return object
    }

    static func array(_ body: [UInt8], what: String) throws(FeedError) -> [[String: Any]] {
        guard let array = try? JSONTree.parse(body) as? [[String: Any]] else {
            throw FeedError("\(what): the answer is not a JSON array of objects")
        }
        return array
    }

    /// The `rel="next"` target of a `Link` header (RFC 8288), as GitHub and Shopify page.
    static func nextLink(_ link: String?) -> String? {
        guard let link else { return nil }
        for part in link.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = pieces.first, target.hasPrefix("<"), target.hasSuffix(">") else { continue }
            if pieces.dropFirst().contains(where: { $0.replacingOccurrences(of: " ", with: "") == "rel=\"next\"" || $0 == "rel=next" }) {
                return String(target.dropFirst().dropLast())
            }
        }
        return nil
    }

    static func query(_ items: [(String, String)]) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+[]:")
        return items.map { name, value in
            (name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name) + "="
                + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
        }.joined(separator: "&")
    }
}
