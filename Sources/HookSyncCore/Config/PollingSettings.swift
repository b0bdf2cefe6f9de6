import TOMLKit

/// A source's polling keys: when to poll, how far back to start, how to judge webhooks
/// missing, and what the provider's API needs to know (repository, hook, resource…).
public struct PollingSettings: Sendable {
    /// Nil for the mode's default: every minute when polling only, a reconciliation pass
    /// every 15 minutes in hybrid mode.
    public var schedule: PollSchedule?
    /// How far back the first pass of a source without a cursor starts.
    public var backfill: Duration = .seconds(86400)
    /// A polled event older than this that never arrived by webhook counts as missed.
    public var grace: Duration = .seconds(120)
    /// No webhook for this long while polling finds new events degrades a hybrid source.
    public var silence: Duration?
    /// How often a degraded hybrid source polls.
    public var fallbackPoll: Duration = .seconds(30)
    /// Clean passes a degraded source needs to recover.
    public var recoverAfter = 3
    /// How far before the cursor time-based APIs (Square, Shopify) start again.
    public var overlap: Duration = .seconds(300)
    /// GitHub: `owner/name` of a repository hook, or an organisation, and the hook's id.
    public var repository: String?
    public var organization: String?
    public var hookID: String?
    /// GitHub on a public host: ask GitHub to redeliver missed deliveries instead of fetching them.
    public var redeliver = false
    /// Shopify: the Admin REST resource to reconcile.
    public var resource = "orders"

    public init() {}

    /// The schedule in force for `mode`; nil when the mode never polls.
    public func effectiveSchedule(mode: SourceMode) -> PollSchedule? {
        switch mode {
        case .webhook: nil
        case .poll: schedule ?? PollSchedule(rule: .every(.seconds(60)))
        case .hybrid: schedule ?? PollSchedule(rule: .every(.seconds(900)))
        }
    }

    static let keys: Set<String> = [
        "poll", "backfill", "grace", "silence", "fallback_poll", "recover_after", "overlap", "repo", "org", "hook_id", "redeliver",
        "resource",
    ]
}

extension PollingSettings {
    init(reading table: TOMLReader) {
        self.init()
        if let text = table.string("poll") {
            schedule = PollSchedule(text)
            if schedule == nil { table.report("poll", value: "\"\(text)\"", expected: PollSchedule.expectation) }
        }
        backfill = table.duration("backfill") ?? backfill
        grace = table.duration("grace") ?? grace
        silence = table.duration("silence")
        fallbackPoll = table.duration("fallback_poll") ?? fallbackPoll
        recoverAfter = table.int("recover_after", in: 1...1000) ?? recoverAfter
        overlap = table.duration("overlap") ?? overlap
        repository = table.string("repo")
        if let repository, repository.split(separator: "/").count != 2 {
            table.report("repo", value: "\"\(repository)\"", expected: "\"owner/name\"")
        }
        organization = table.string("org")
        // GitHub shows hook ids as numbers; a quoted one works too.
        hookID = table.table["hook_id"]?.int != nil ? table.int("hook_id", in: 1...Int.max).map(String.init) : table.string("hook_id")
        redeliver = table.bool("redeliver") ?? false
        resource = table.string("resource") ?? resource
    }
}
