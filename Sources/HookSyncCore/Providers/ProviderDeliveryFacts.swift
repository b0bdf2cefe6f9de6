/// The `[delivery]` table: how the provider delivers and retries, so that `hooksync status`
/// and the poller know how long a missed webhook can still arrive by itself.
public struct ProviderDeliveryFacts: Sendable, Hashable {
    /// How long the provider waits for a response before it counts a failure.
    public var timeout: Duration?
    /// How long the provider keeps retrying a failed delivery; zero when it never retries.
    public var retryWindow: Duration?
    /// The provider's policy in words, with its source, for operators.
    public var retries: String?
    /// The exact body the provider expects with a 2xx, such as Adyen's `[accepted]`; nil for
    /// hooksync's own JSON answer.
    public var ackBody: String?
    /// The 2xx status the provider expects, such as Discord's 204; nil for 200.
    public var ackStatus: Int?
}

extension ProviderDeliveryFacts {
    init(reading table: TOMLReader) {
        table.rejectUnknownKeys(["timeout", "retry_window", "retries", "ack_body", "ack_status"])
        self.init(
            timeout: table.duration("timeout"),
            retryWindow: table.duration("retry_window"),
            retries: table.string("retries"),
            ackBody: table.string("ack_body"),
            ackStatus: table.int("ack_status", in: 200...299)
        )
    }
}
