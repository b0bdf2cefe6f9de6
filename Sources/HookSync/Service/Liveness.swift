import Foundation
import HookSyncCore

/// What the watchdog asks before it pings systemd: has every loop that should be making
/// progress checked in when it promised to?
///
/// Each loop calls `checkIn(_:next:)` saying when it will check in again (the worker before it
/// waits for work, a poller before it sleeps until its next pass). A loop that misses its own
/// promise is wedged, and the agent stops pinging, so systemd restarts it.
public actor Liveness {
    private var deadlines: [String: ContinuousClock.Instant] = [:]

    public init() {}

    /// Records progress; `within` is how long until the next check-in at the latest.
    public func checkIn(_ component: String, within: Duration) {
        deadlines[component] = .now + within
    }

    /// Components that are past their promise, for the log and `STATUS=`.
    public func overdue(at now: ContinuousClock.Instant = .now) -> [String] {
        deadlines.filter { $0.value < now }.map(\.key).sorted()
    }
}
