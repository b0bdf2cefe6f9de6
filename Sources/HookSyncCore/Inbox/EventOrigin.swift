/// How an event reached hooksync.
public enum EventOrigin: String, Sendable, Codable, CaseIterable {
    /// Pushed by the provider to the receiver.
    case webhook
    /// Found by polling the provider's event API.
    case poll
}
