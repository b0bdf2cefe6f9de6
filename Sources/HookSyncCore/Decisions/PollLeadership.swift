/// This agent's own view of which sources' polling it leads, kept so that it stops polling
/// before the inbox could hand the leadership to another agent.
///
/// The inbox grants a leadership for a term, from when it handled the heartbeat. The agent
/// counts the term from when it sent the heartbeat, which is earlier, so its view always ends
/// first: cut off from the inbox, it stops polling before anyone else may start. (The page
/// commit checks the leadership too; this keeps a cut-off leader from fetching pages it could
/// not store.)
///
/// The term is two thirds of `failover` and heartbeats go out four times per term, so a lost
/// heartbeat loses nothing, and a leader that dies right after a heartbeat is replaced at the
/// latest a term and a heartbeat later: five sixths of `failover`.
public struct PollLeadership<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// How long a granted leadership lasts.
    public let term: Duration
    /// How often to send heartbeats.
    public let heartbeatInterval: Duration
    private var heldUntil: [String: Instant] = [:]

    public init(failover: Duration) {
        term = failover * 2 / 3
        heartbeatInterval = failover / 6
    }

    /// Records the inbox's answer to a heartbeat sent at `sentAt`: the sources it leads now.
    /// Any other source is no longer led, whatever was held before.
    public mutating func granted(_ sources: Set<String>, sentAt: Instant) {
        heldUntil = Dictionary(uniqueKeysWithValues: sources.map { ($0, sentAt.advanced(by: term)) })
    }

    /// A page commit found another leader: stop at once.
    public mutating func lost(_ source: String) {
        heldUntil[source] = nil
    }

    /// Whether this agent may poll `source` at `now`.
    public func leads(_ source: String, at now: Instant) -> Bool {
        heldUntil[source].map { now < $0 } ?? false
    }

    /// The sources led at `now`, for metrics.
    public func led(at now: Instant) -> Set<String> {
        Set(heldUntil.filter { now < $0.value }.keys)
    }
}
