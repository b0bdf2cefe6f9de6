/// One `[[sources]]` entry: a named feed of events from one provider account.
public struct SourceConfig: Sendable {
    /// Unique name; webhooks for it arrive at `POST /webhooks/<name>`.
    public var name: String
    /// The provider definition's name (`providers/<provider>.toml`).
    public var provider: String
    public var mode: SourceMode
    /// Every secret that may sign a webhook; several during a rotation.
    public var webhookSecrets: [SecretReference]
    /// The public URL the provider calls, for providers that sign it (Square, Twilio).
    /// It must match the provider's setting exactly, trailing slash included.
    public var webhookURL: String?
    /// The provider's id of the webhook that delivers to this source, for providers that sign it (PayPal).
    public var webhookID: String?
    public var apiKey: SecretReference?
    /// The provider's public keys, for providers that sign with a private key (Discord,
    /// SendGrid): each a key as published, or a reference (`file:`, `env:`) to one.
    public var publicKeys: [String]
    /// An OAuth client of the provider's API, for providers whose event API takes tokens (PayPal).
    public var clientID: String?
    public var clientSecret: SecretReference?
    /// The token the operator chose for a provider's `GET` handshake (Meta's `hub.verify_token`).
    public var verifyToken: SecretReference?
    public var apiBase: String?
    /// Overrides the provider's timestamp tolerance for this source.
    public var tolerance: Duration?
    public var polling: PollingSettings

    public init(
        name: String,
        provider: String,
        mode: SourceMode = .webhook,
        webhookSecrets: [SecretReference] = [],
        webhookURL: String? = nil,
        webhookID: String? = nil,
        apiKey: SecretReference? = nil,
        publicKeys: [String] = [],
        verifyToken: SecretReference? = nil,
        apiBase: String? = nil,
        tolerance: Duration? = nil,
        polling: PollingSettings = PollingSettings()
    ) {
        self.name = name
        self.provider = provider
        self.mode = mode
        self.webhookSecrets = webhookSecrets
        self.webhookURL = webhookURL
        self.webhookID = webhookID
        self.apiKey = apiKey
        self.publicKeys = publicKeys
        self.verifyToken = verifyToken
        self.apiBase = apiBase
        self.tolerance = tolerance
        self.polling = polling
    }
}
