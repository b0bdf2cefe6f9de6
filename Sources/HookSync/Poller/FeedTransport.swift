import AsyncHTTPClient
import Foundation
public import HookSyncCore
public import NIOCore
import NIOHTTP1

/// Sends a feed's requests. The poller owns retries; a transport only reports what happened.
public protocol FeedTransport: Sendable {
    /// The response whatever its status; throws only when there was none (network, timeout).
    func send(_ request: FeedRequest) async throws -> FeedResponse
}

/// The production transport over AsyncHTTPClient's shared client.
public struct HTTPFeedTransport: FeedTransport {
    public var timeout: TimeAmount
    /// Larger answers are refused rather than buffered without bound.
    public var maxBody: Int

    public init(timeout: TimeAmount = .seconds(30), maxBody: Int = 32 * 1024 * 1024) {
        self.timeout = timeout
        self.maxBody = maxBody
    }

    public func send(_ request: FeedRequest) async throws -> FeedResponse {
        guard let client = request.oauth else { return try await sendAsIs(request) }
        // The token is the client's, kept until it expires; one the API refuses (revoked,
        // rotated) is dropped and the request sent once more with a new one.
        let token = try await OAuthTokenCache.token(for: client, via: self)
        var authorized = request
        authorized.headers["Authorization"] = "Bearer \(token)"
        let response = try await sendAsIs(authorized)
        guard response.status == 401 else { return response }
        await OAuthTokenCache.invalidate(client, token: token)
        authorized.headers["Authorization"] = "Bearer \(try await OAuthTokenCache.token(for: client, via: self))"
        return try await sendAsIs(authorized)
    }

    private func sendAsIs(_ request: FeedRequest) async throws -> FeedResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        outgoing.headers.add(name: "User-Agent", value: "hooksync/\(HookSyncVersion.string)")
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) {
            outgoing.headers.replaceOrAdd(name: name, value: value)
        }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(outgoing, timeout: timeout)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        let body = try await response.body.collect(upTo: maxBody)
        return FeedResponse(status: Int(response.status.code), headers: headers, body: Array(buffer: body))
    }
}
