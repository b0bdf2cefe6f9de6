import HookSyncCore
import Testing

/// The agent's own view of its poll leaderships, without I/O: it always ends before the
/// inbox's grant can, and an answer replaces what was held.
@Suite struct PollLeadershipTests {
    let start = ContinuousClock.now

    @Test func aGrantLastsOneTermFromWhenTheHeartbeatWasSent() {
        var leadership = PollLeadership<ContinuousClock.Instant>(failover: .seconds(15))
        #expect(leadership.term == .seconds(10))
        #expect(leadership.heartbeatInterval == .seconds(2.5))
        #expect(leadership.term + leadership.heartbeatInterval < .seconds(15), "a dead leader is replaced within failover")
        #expect(!leadership.leads("shop", at: start))
        leadership.granted(["shop"], sentAt: start)
        #expect(leadership.leads("shop", at: start + .seconds(9.9)))
        #expect(!leadership.leads("shop", at: start + .seconds(10)), "the inbox's term started later: ours ends first")
        #expect(!leadership.leads("crm", at: start))
        #expect(leadership.led(at: start + .seconds(1)) == ["shop"])
    }

    @Test func eachAnswerReplacesTheLastAndALostPageEndsALeadership() {
        var leadership = PollLeadership<ContinuousClock.Instant>(failover: .seconds(15))
        leadership.granted(["shop", "crm"], sentAt: start)
        leadership.granted(["crm"], sentAt: start + .seconds(5))
        #expect(!leadership.leads("shop", at: start + .seconds(6)), "no longer granted: another agent leads it")
        #expect(leadership.leads("crm", at: start + .seconds(14)), "renewed until 15s")
        leadership.lost("crm")
        #expect(leadership.led(at: start + .seconds(6)).isEmpty)
    }
}
