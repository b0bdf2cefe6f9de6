import Foundation
import HookSyncCore

/// The OAuth tokens of every source that polls with one, kept until they expire: a pass of
/// many pages, and the passes after it, ask for one token, not one per request.
enum OAuthTokenCache {
    private static let cache = FetchCache<OAuthClientCredentials, OAuthToken>(capacity: 256)

    /// A usable token for `client`, kept or fetched with `transport`.
    static func token(for client: OAuthClientCredentials, via transport: some FeedTransport) async throws -> String {
        try await cache.value(for: client, isFresh: { $0.isUsable(at: Date()) }) { try await fetch(client, via: transport) }.accessToken
    }

    /// Forgets a token the API refused, so the next request asks for a new one.
    static func invalidate(_ client: OAuthClientCredentials, token: String) async {
        await cache.remove(client) { $0.accessToken == token }
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
