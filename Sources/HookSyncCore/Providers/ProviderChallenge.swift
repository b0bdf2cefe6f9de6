/// The `[challenge]` table: a handshake request the provider sends to check a new endpoint,
/// answered with a value from the request instead of being stored as an event.
///
/// Slack's Events API sends `{"type":"url_verification","challenge":"…"}` and enables the URL
/// only if the response echoes the challenge.
public struct ProviderChallenge: Sendable {
    /// The event type (as `[event] type` reads it) that marks the handshake.
    public var type: String
    /// Where the value to answer with is.
    public var reply: FieldRule
}

extension ProviderChallenge {
    init?(reading table: TOMLReader) {
        table.rejectUnknownKeys(["type", "reply"])
        guard let type = table.string("type", required: true), let reply = table.fieldRule("reply", required: true) else { return nil }
        self.init(type: type, reply: reply)
    }
}
