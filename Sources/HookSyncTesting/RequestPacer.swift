public import NIOCore

/// One load connection's schedule: when its next request may leave, and when the one in flight
/// was due. At a fixed rate each request has a slot, and one sent late, behind a slow answer,
/// is timed from its slot: the wait the server caused counts (coordinated omission, corrected as
/// wrk2 does). Without a rate, a request is due when it leaves.
public struct RequestPacer: Sendable {
    public let interval: TimeAmount?
    /// The slot of the next request.
    public private(set) var slot: NIODeadline
    /// When the request in flight was due; nil when none is in flight.
    public private(set) var due: NIODeadline?

    public init(interval: TimeAmount?, firstSlot: NIODeadline) {
        self.interval = interval
        slot = firstSlot
    }

    /// When to try again, if the next request may not leave at `now` yet.
    public func wait(now: NIODeadline) -> NIODeadline? {
        interval != nil && slot > now ? slot : nil
    }

    /// The next request leaves at `now`.
    public mutating func send(now: NIODeadline) {
        due = interval == nil ? now : slot
    }

    /// Its answer came at `now`: returns how long it took from when it was due, and moves on
    /// to the next slot.
    public mutating func answered(now: NIODeadline) -> TimeAmount {
        let took = now - (due ?? now)
        due = nil
        if let interval { slot = slot + interval }
        return took
    }
}
