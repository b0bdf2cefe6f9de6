/// What one attempt achieved, whatever the route does: the worker's policy decides from this.
public enum DeliveryOutcome: Sendable, Equatable {
    case succeeded
    /// Worth trying again; `retryAfter` is the target's own request (`Retry-After`).
    case failed(reason: String, retryAfter: Duration?)
    /// Trying again cannot help (a 4xx other than 408, 425, 429): dead-letter now.
    case rejected(reason: String)

    public var error: String? {
        switch self {
        case .succeeded: nil
        case .failed(let reason, _), .rejected(let reason): reason
        }
    }
}

extension ExecResult {
    /// An exec route's run: exit 0 succeeds; anything else may succeed on another try.
    public var outcome: DeliveryOutcome {
        succeeded ? .succeeded : .failed(reason: failureDescription ?? "failed", retryAfter: nil)
    }
}
