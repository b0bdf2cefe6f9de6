/// What one polling pass did, for the log, `hooksync backfill`'s progress line and health.
public struct PollPassSummary: Sendable, Equatable {
    public var pages = 0
    /// Events read from the API (including candidates fetched).
    public var events = 0
    /// Events the inbox did not have.
    public var new = 0
    public var duplicates = 0
    /// Events of a hybrid source polled in this pass or earlier whose webhooks had not come
    /// when their grace period ran out: webhooks that went missing.
    public var missed = 0
    /// New events in a hybrid source whose time the provider file cannot read: whether their
    /// webhook was missed cannot be judged against the grace period, so they are not counted
    /// as missed; logged, for the operator to fix the file's `occurred_at`.
    public var untimed = 0
    /// Events whose body the provider file cannot map; logged and skipped.
    public var unreadable = 0
    /// GitHub deliveries the provider was asked to redeliver.
    public var redelivered = 0

    public init() {}

    public var line: String {
        var text = "pages \(pages), events \(events), new \(new), duplicate \(duplicates)"
        if missed > 0 { text += ", missed webhooks \(missed)" }
        if redelivered > 0 { text += ", redelivery requested \(redelivered)" }
        if unreadable > 0 { text += ", unreadable \(unreadable)" }
        if untimed > 0 { text += ", without a time \(untimed)" }
        return text
    }
}
