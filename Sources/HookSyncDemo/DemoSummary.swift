import HookSync

/// The numbers `hooksync demo` prints, read from the demo's inbox.
public struct DemoSummary: Sendable, Equatable {
    /// Events the simulated provider created.
    public var generated = 0
    /// Webhooks the simulated provider chose not to send.
    public var dropped = 0
    public var byWebhook = 0
    public var recoveredByPolling = 0
    public var duplicates = 0
    public var delivered = 0
    public var dead = 0

    public var line: String {
        "generated \(generated) (webhooks dropped \(dropped)) | received by webhook \(byWebhook) | recovered by polling \(recoveredByPolling)"
            + " | duplicates dropped \(duplicates) | delivered \(delivered) | dead \(dead)"
    }

    /// Every generated event is in the inbox and has been delivered.
    public var settled: Bool {
        byWebhook + recoveredByPolling == generated && delivered + dead == generated
    }
}
