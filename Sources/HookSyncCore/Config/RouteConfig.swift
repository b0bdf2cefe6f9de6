/// One `[[routes]]` entry: which events go where, and how hard to try.
public struct RouteConfig: Sendable {
    /// What a route does with an event.
    public enum Action: Sendable, Equatable {
        /// Run a command with the event body on stdin; exit 0 is success.
        case exec([String])
        /// POST the body to a local application, re-signed per Standard Webhooks with `secret`.
        case forward(url: String, secret: SecretReference)
    }

    public var name: String
    /// A source name, or `"*"` for every source.
    public var source: String
    public var events: [EventTypeGlob]
    public var action: Action
    public var timeout: Duration
    public var maxAttempts: Int
    public var backoff: RetrySchedule
    /// At most this many deliveries of the route run at once; nil for the worker's limit only.
    public var concurrency: Int?
    /// Events with the same key are delivered one at a time, in occurrence order.
    public var orderBy: FieldRule?

    public init(
        name: String,
        source: String = "*",
        events: [EventTypeGlob] = [EventTypeGlob("*")],
        action: Action,
        timeout: Duration = .seconds(30),
        maxAttempts: Int = 8,
        backoff: RetrySchedule = RetrySchedule(base: .seconds(1), max: .seconds(3600)),
        concurrency: Int? = nil,
        orderBy: FieldRule? = nil
    ) {
        self.name = name
        self.source = source
        self.events = events
        self.action = action
        self.timeout = timeout
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.concurrency = concurrency
        self.orderBy = orderBy
    }

    /// Whether this route takes events from `source` at all.
    public func takes(source: String) -> Bool {
        self.source == "*" || self.source == source
    }

    /// Whether this route wants an event of `type` from `source`.
    public func selects(source: String, type: String) -> Bool {
        takes(source: source) && events.contains { $0.matches(type) }
    }
}
