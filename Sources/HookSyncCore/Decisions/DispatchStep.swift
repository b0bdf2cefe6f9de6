public import Foundation

/// The worker's decision after a round of claims: claim again at once, or sleep until woken,
/// until the next delivery falls due, or for `idle_poll`, whichever comes first.
public enum DispatchStep: Sendable, Equatable {
    /// Every claim got all it asked for: more may be due, so claim again without waiting.
    case claimAgain
    /// Sleep this long unless a new event or a finishing delivery wakes the worker first.
    case wait(Duration)

    /// Decides from what the claims asked for and got, and when the next delivery of a route
    /// with room falls due (nil: none is scheduled, or no route has room).
    ///
    /// Deliveries that were due at the claim but not claimed wait for a slot or for their key's
    /// earlier event, and a finishing delivery wakes the worker for them: waiting on their due
    /// time would spin. A retry that fell due while the claim ran is due now: wait zero.
    public static func next(wanted: Int, claimed: Int, nextDue: Date?, now: Date, idlePoll: Duration) -> DispatchStep {
        if claimsAgain(wanted: wanted, claimed: claimed) { return .claimAgain }
        guard let nextDue else { return .wait(idlePoll) }
        let untilDue = Duration.milliseconds(Int64((nextDue.timeIntervalSince(now) * 1000).rounded(.up)))
        return .wait(min(idlePoll, max(.zero, untilDue)))
    }

    /// Whether every claim got all it asked for, so the worker claims again before asking
    /// when anything falls due.
    public static func claimsAgain(wanted: Int, claimed: Int) -> Bool {
        wanted > 0 && claimed == wanted
    }
}
