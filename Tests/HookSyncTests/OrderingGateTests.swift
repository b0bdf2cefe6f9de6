import Foundation
import HookSyncCore
import Testing

/// The per-key ordering rule and the worker's dispatch step, as values without I/O.
@Suite struct OrderingGateTests {
    typealias Position = OrderingGate.Position
    typealias Keyed = OrderingGate.KeyedDelivery

    @Test func positionsOrderByTimeThenArrival() {
        #expect(Position(time: 1, sequence: 9) < Position(time: 2, sequence: 1))
        #expect(Position(time: 1, sequence: 1) < Position(time: 1, sequence: 2))
        #expect(!(Position(time: 1, sequence: 2) < Position(time: 1, sequence: 2)))
    }

    @Test func unkeyedDeliveriesAlwaysRun() {
        var gate = OrderingGate()
        let busy = OrderingGate.KeyFacts(inFlight: true, earlierUnfinished: true)
        #expect(gate.admit(route: "r", orderKey: nil, facts: busy) == .run)
        #expect(gate.admit(route: "r", orderKey: nil, facts: busy) == .run)
    }

    @Test func aKeyRunsOnceAClaimAndNeverBesideItsInFlightOrEarlierDeliveries() {
        var gate = OrderingGate()
        let clear = OrderingGate.KeyFacts(inFlight: false, earlierUnfinished: false)
        #expect(gate.admit(route: "r", orderKey: "k", facts: OrderingGate.KeyFacts(inFlight: true, earlierUnfinished: false)) == .hold)
        #expect(gate.admit(route: "r", orderKey: "k", facts: OrderingGate.KeyFacts(inFlight: false, earlierUnfinished: true)) == .hold)
        #expect(gate.admit(route: "r", orderKey: "k", facts: clear) == .run)
        #expect(gate.admit(route: "r", orderKey: "k", facts: clear) == .hold, "one delivery of a key per claim")
        #expect(gate.admit(route: "s", orderKey: "k", facts: clear) == .run, "keys are per route")
        #expect(gate.admit(route: "r", orderKey: "k2", facts: clear) == .run)
    }

    @Test func lateMeansALaterEventOfTheKeyWasDelivered() {
        let position = Position(time: 10, sequence: 5)
        #expect(!OrderingGate.isLate(position, latestDone: nil))
        #expect(!OrderingGate.isLate(position, latestDone: Position(time: 9, sequence: 7)))
        #expect(OrderingGate.isLate(position, latestDone: Position(time: 10, sequence: 6)))
        #expect(OrderingGate.isLate(position, latestDone: Position(time: 11, sequence: 1)))
    }

    /// The reference facts every backend's query must match.
    @Test func referenceFactsCountLiveLeasesAndEarlierUnfinishedDeliveries() {
        let now = 100.0
        let candidate = Keyed(id: 2, position: Position(time: 5, sequence: 2), state: .pending, leaseUntil: nil)
        func facts(_ others: [Keyed]) -> OrderingGate.KeyFacts {
            OrderingGate.KeyFacts(of: candidate, among: [candidate] + others, now: now)
        }
        #expect(facts([]) == OrderingGate.KeyFacts(inFlight: false, earlierUnfinished: false))
        // Earlier and unfinished holds; earlier but done or dead does not; later does not.
        #expect(facts([Keyed(id: 1, position: Position(time: 4, sequence: 1), state: .retrying, leaseUntil: nil)]).earlierUnfinished)
        #expect(!facts([Keyed(id: 1, position: Position(time: 4, sequence: 1), state: .done, leaseUntil: nil)]).earlierUnfinished)
        #expect(!facts([Keyed(id: 1, position: Position(time: 4, sequence: 1), state: .dead, leaseUntil: nil)]).earlierUnfinished)
        #expect(!facts([Keyed(id: 3, position: Position(time: 6, sequence: 3), state: .pending, leaseUntil: nil)]).earlierUnfinished)
        // A live lease of any other delivery holds, even a later one; an expired one does not.
        #expect(facts([Keyed(id: 3, position: Position(time: 6, sequence: 3), state: .pending, leaseUntil: 100)]).inFlight)
        #expect(!facts([Keyed(id: 3, position: Position(time: 6, sequence: 3), state: .pending, leaseUntil: 99)]).inFlight)
        // The candidate's own lease is not another's.
        let leased = Keyed(id: 2, position: candidate.position, state: .pending, leaseUntil: 200)
        #expect(!OrderingGate.KeyFacts(of: leased, among: [leased], now: now).inFlight)
    }

    // MARK: Dispatch

    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func everyClaimFullMeansClaimAgain() {
        #expect(DispatchStep.next(wanted: 8, claimed: 8, nextDue: nil, now: now, idlePoll: .seconds(5)) == .claimAgain)
        #expect(DispatchStep.next(wanted: 0, claimed: 0, nextDue: nil, now: now, idlePoll: .seconds(5)) == .wait(.seconds(5)))
        #expect(DispatchStep.next(wanted: 8, claimed: 3, nextDue: nil, now: now, idlePoll: .seconds(5)) == .wait(.seconds(5)))
    }

    @Test func theWaitEndsWhenTheNextDeliveryFallsDueButNeverPastIdlePoll() {
        func step(dueIn seconds: Double) -> DispatchStep {
            DispatchStep.next(wanted: 4, claimed: 1, nextDue: now.addingTimeInterval(seconds), now: now, idlePoll: .seconds(5))
        }
        #expect(step(dueIn: 1.25) == .wait(.milliseconds(1250)))
        #expect(step(dueIn: 0.0001) == .wait(.milliseconds(1)), "rounded up: never wakes before it is due")
        #expect(step(dueIn: 60) == .wait(.seconds(5)))
        #expect(step(dueIn: -2) == .wait(.zero), "fell due while the claim ran: at once")
    }
}
