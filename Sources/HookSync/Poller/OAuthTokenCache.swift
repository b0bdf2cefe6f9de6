import Foundation
import HookSyncCore

/// The OAuth tokens of every source that polls with one, kept until they expire: a pass of
/// many pages, and the passes after it, ask for one token, not one per request.
actor OAuthTokenCache {
    static let shared = OAuthTokenCache()

    private var tokens: [OAuthClientCredentials: OAuthToken] = [:]
    private var fetching: [OAuthClientCredentials: Task<OAuthToken, any Error>] = [:]

    /// A usable token for `client`, from the cache or fetched with `transport` (one fetch at a
    /// time per client).
    func token(for client: OAuthClientCredentials, via transport: some FeedTransport, now: Date = Date()) async throws -> String {
        if let token = tokens[client], token.isUsable(at: now) { return token.accessToken }
        let task = fetching[client] ?? Task { try await Self.fetch(client, via: transport) }
        fetching[client] = task
        defer { fetching[client] = nil }
        let token = try await task.value
        tokens[client] = token
        return token.accessToken
    }

    /// Forgets a token the API refused, so the next request asks for a new one.
    func invalidate(_ client: OAuthClientCredentials, token: String) {
        if tokens[client]?.accessToken == token { tokens[client] = nil }
    }

    private static func fetch(_ client: OAuthClientCredentials, via transport: some FeedTransport) async throws -> OAuthToken {
        let response = try await transport.send(client.tokenRequest)
        guard (200..<300).contains(response.status), let token = OAuthToken(answer: response.body, receivedAt: Date()) else {
            // The answer names the problem (invalid_client…); it never holds the secret.
            let detail = String(decoding: response.body.prefix(200), as: UTF8.self)
            throw OAuthError(description: "the token request for \(client) answered \(response.status): \(detail)")
        }
        return token
    }
}

/// A token that could not be had; the poller retries the page like any other failure.
struct OAuthError: Error, CustomStringConvertible {
    var description: String
}
