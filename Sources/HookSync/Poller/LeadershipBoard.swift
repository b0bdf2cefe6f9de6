import HookSyncCore

/// Which sources' polling this agent leads, shared by the heartbeat that learns it and the
/// pollers that act on it; a poller waiting for a leadership wakes as soon as it is granted.
public actor LeadershipBoard {
    private var leadership: PollLeadership<ContinuousClock.Instant>
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init(failover: Duration) {
        leadership = PollLeadership(failover: failover)
    }

    public var term: Duration { leadership.term }
    public var heartbeatInterval: Duration { leadership.heartbeatInterval }

    /// Records a heartbeat's answer and wakes the pollers waiting for a change.
    public func granted(_ sources: Set<String>, sentAt: ContinuousClock.Instant) {
        leadership.granted(sources, sentAt: sentAt)
        for waiter in waiters { waiter.resume() }
        waiters = []
    }

    public func lost(_ source: String) {
        leadership.lost(source)
    }

    public func leads(_ source: String) -> Bool {
        leadership.leads(source, at: .now)
    }

    public func led() -> Set<String> {
        leadership.led(at: .now)
    }

    /// Returns at the next heartbeat's answer, or when cancelled.
    public func nextAnswer() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled { continuation.resume() } else { waiters.append(continuation) }
            }
        } onCancel: {
            Task { await self.wakeAll() }
        }
    }

    private func wakeAll() {
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}
