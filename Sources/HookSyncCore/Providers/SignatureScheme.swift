public import Foundation
public import HTTPTypes

/// A way a provider signs its webhooks. Implementations are values built from a provider
/// file, so several sources can share a scheme with different parameters.
public protocol SignatureScheme: Sendable {
    /// The `scheme` key that selects this implementation in a provider file.
    var name: String { get }
    /// One line for `hooksync providers`: the header and algorithm an operator would look for.
    var summary: String { get }
    /// The replay window, for schemes that sign or send a timestamp.
    var tolerance: Duration? { get }
    /// True when the provider signs the URL it called, so a source must set `webhook_url`.
    var signsURL: Bool { get }
    /// True when the provider signs the id of the webhook it delivers to, so a source must set `webhook_id`.
    var signsWebhookID: Bool { get }
    /// What a source gives to verify: a shared `webhook_secret`, the provider's `public_key`,
    /// or nothing, for a certificate fetched per request.
    var keyKind: KeyKind { get }
    /// For schemes that verify with a certificate the request points to: where, and from where
    /// it may be fetched. The receiver passes the fetched PEM to `verify` as the one secret.
    var certificateSource: CertificateSource? { get }
    /// A value of the request that must not be seen twice within the replay window (Mailgun's
    /// `token`): the receiver refuses a second request that carries it.
    var replayKey: FieldSource? { get }

    /// The same scheme with another replay window: a source may override its provider's.
    func with(tolerance: Duration) -> Self

    /// Throws unless some signature in `request` verifies with one of `secrets` and its
    /// timestamp, if the scheme has one, is within tolerance of `now`.
    /// - Returns: the index of the secret that matched, which tells an operator whether a
    ///   rotation is still in progress.
    @discardableResult
    func verify(_ request: WebhookRequest, secrets: [Secret], now: Date) throws(SignatureFailure) -> Int

    /// The headers the provider would add to `request`; used by `send-test` and tests.
    func sign(_ request: WebhookRequest, secret: Secret, id: String, timestamp: Date) throws(SecretFormatError) -> HTTPFields

    /// The signature a provider that signs inside the body writes where its sample says
    /// `{{signature}}` (Mailgun); nil for schemes that sign in headers.
    func bodySignature(_ request: WebhookRequest, secret: Secret) throws(SecretFormatError) -> String?

    /// Checks at start-up that a secret has the shape this scheme needs.
    func validate(secret: Secret) throws(SecretFormatError)
}

extension SignatureScheme {
    public var tolerance: Duration? { nil }
    public var signsURL: Bool { false }
    public var signsWebhookID: Bool { false }
    public var keyKind: KeyKind { .secret }
    public var certificateSource: CertificateSource? { nil }
    public var replayKey: FieldSource? { nil }
    public func bodySignature(_ request: WebhookRequest, secret: Secret) throws(SecretFormatError) -> String? { nil }
    public func with(tolerance: Duration) -> Self { self }
}

/// Which source key holds what verifies a provider's webhooks.
public enum KeyKind: String, Sendable {
    case secret = "webhook_secret"
    case publicKey = "public_key"
    /// A certificate the provider points to in each request (PayPal): nothing to configure.
    case certificate
}

/// A configured secret that cannot be used by its provider's scheme.
public struct SecretFormatError: Error, Sendable, CustomStringConvertible {
    public var reason: String

    public var description: String { reason }
}

extension HTTPField.Name {
    /// A header name written as a literal in the source. A name read from a file goes through
    /// the file's reader instead, which reports an invalid one; a literal that is not a header
    /// name is a programming error, and stops here rather than standing in as another header.
    @usableFromInline
    package static func validated(_ text: StaticString) -> HTTPField.Name {
        guard let name = HTTPField.Name("\(text)") else { preconditionFailure("\(text) is not an HTTP header name") }
        return name
    }
}
