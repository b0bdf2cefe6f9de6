import Foundation

/// One processed copy of an event, as the app behind a route saw it: when the request arrived
/// and when the app answered it. The verdict on duplicates is built from these and from the
/// cuts the scenario itself made, never from the agent's own records.
struct Sighting: Sendable {
    var arrived: Date
    var answered: Date
    /// The agent that sent it, when its route's URL names it (``AgentUnderTest`` fills in
    /// ``ReliabilitySuite/senderPlaceholder``).
    var sender: String? = nil
}

/// A moment the scenario cut the agent off from its inbox: a SIGKILL (an instant), or a
/// database away for a while (an interval). A delivery may run again only across one.
struct Cut: Sendable {
    var start: Date
    var end: Date
    /// The agent killed, and when it was started again (nil: never).
    var agent: String? = nil
    var restarted: Date? = nil

    static func kill(_ agent: String, at date: Date) -> Cut { Cut(start: date, end: date, agent: agent) }

    /// Why `later` may repeat `earlier`: the earlier copy was sent before the cut ended and the
    /// later one reached the app after it began. Nil when no cut lies between them.
    ///
    /// A request sent just before a SIGKILL may reach the app a little after it; one that the
    /// killed agent sent and that arrived before the agent was started again was sent before
    /// the kill, since a dead agent sends nothing.
    static func explaining(_ earlier: Sighting, _ later: Sighting, among cuts: [Cut]) -> Cut? {
        cuts.first { cut in
            let sentBefore =
                earlier.arrived <= cut.end
                || (earlier.sender != nil && earlier.sender == cut.agent && earlier.arrived < (cut.restarted ?? .distantFuture))
            return sentBefore && later.arrived >= cut.start
        }
    }
}
