import Foundation
import HookSyncCore

/// The receiver's memory of one-time values, a ``ReplayWindow`` per source, shared by every
/// connection so that two copies of a request racing in cannot both be accepted.
actor ReplayGuard {
    private var windows: [String: ReplayWindow] = [:]

    /// - Parameter lifetime: how long the source's timestamp check would still let the value in.
    func claim(_ value: String, source: String, lifetime: Duration, now: Date) -> Bool {
        windows[source, default: ReplayWindow(lifetime: lifetime)].claim(value, now: now)
    }

    func release(_ value: String, source: String) {
        windows[source]?.release(value)
    }
}
