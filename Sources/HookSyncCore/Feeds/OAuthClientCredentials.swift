public import Foundation

/// What an OAuth 2.0 client-credentials grant needs (RFC 6749 §4.4): where to ask for a token,
/// and the client's id and secret, sent as HTTP basic auth as PayPal's API wants them.
public struct OAuthClientCredentials: Sendable, Hashable, CustomStringConvertible {
    public var tokenURL: String
    public var clientID: String
    public var clientSecret: String

    public init(tokenURL: String, clientID: String, clientSecret: String) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    /// The token request: `grant_type=client_credentials` with the client's basic auth.
    public var tokenRequest: FeedRequest {
        FeedRequest(
            method: "POST",
            url: tokenURL,
            headers: [
                "Authorization": "Basic " + Data("\(clientID):\(clientSecret)".utf8).base64EncodedString(),
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            ],
            body: Array("grant_type=client_credentials".utf8)
        )
    }

    /// Never the secret: this can end up in a log line.
    public var description: String { "client \(clientID) at \(tokenURL)" }
}

/// An access token and when to stop using it.
public struct OAuthToken: Sendable, Equatable {
    public var accessToken: String
    public var expiresAt: Date

    public init(accessToken: String, expiresAt: Date) {
        self.accessToken = accessToken
        self.expiresAt = expiresAt
    }

    /// Reads a token answer (`access_token`, `expires_in` seconds); a token without a lifetime
    /// is used for an hour. The token is refreshed a tenth of its life before it expires (at
    /// most a minute), so a request is never sent with one that runs out on the way.
    public init?(answer body: [UInt8], receivedAt now: Date) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let token = object["access_token"] as? String, !token.isEmpty
        else { return nil }
        let lifetime = (object["expires_in"] as? NSNumber)?.doubleValue ?? 3600
        self.init(accessToken: token, expiresAt: now.addingTimeInterval(lifetime - min(60, lifetime / 10)))
    }

    public func isUsable(at now: Date) -> Bool { now < expiresAt }
}
