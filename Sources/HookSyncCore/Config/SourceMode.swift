/// How a source learns about events: pushed webhooks, polling the provider's event API, or both.
public enum SourceMode: String, Sendable, CaseIterable {
    case webhook
    case poll
    case hybrid

    /// Whether the receiver accepts pushed webhooks for a source in this mode.
    public var acceptsWebhooks: Bool { self != .poll }
}
