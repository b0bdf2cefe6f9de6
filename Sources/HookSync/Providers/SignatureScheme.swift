import Foundation
import HTTPTypes

/// A way a provider signs its webhooks. Implementations are values built from a provider
/// file, so several sources can share a scheme with different parameters.
public protocol SignatureScheme: Sendable {
    /// Throws unless some signature in `request` verifies with one of `secrets` and its
    /// timestamp, if the scheme has one, is within tolerance of `now`.
    func verify(_ request: WebhookRequest, secrets: [Secret], now: Date) throws(SignatureFailure)

    /// The headers the provider would send with `body`; used by `send-test` and tests.
    func sign(body: [UInt8], secret: Secret, id: String, timestamp: Date) throws(SecretFormatError) -> HTTPFields

    /// Checks at start-up that a secret has the shape this scheme needs.
    func validate(secret: Secret) throws(SecretFormatError)
}

/// A configured secret that cannot be used by its provider's scheme.
public struct SecretFormatError: Error, Sendable, CustomStringConvertible {
    public var reason: String

    public var description: String { reason }
}
