import Foundation
import HookSync
import HookSyncCore
import Testing

/// The `Inbox` contract, written once against `any Inbox` and run for every backend in
/// ``InboxBackend/all``. What is about SQLite itself lives in `SQLiteInboxTests`.
@Suite struct InboxContractTests {
    /// Each test runs on its own instance, so the directory lives exactly as long as the test.
    let directory: TemporaryDirectory
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    var t0: Date { Self.t0 }

    init() throws {
        directory = try TemporaryDirectory()
    }

    static func event(
        _ id: String,
        routes: [String] = ["r"],
        type: String = "charge.succeeded",
        origin: EventOrigin = .webhook,
        source: String = "shop",
        occurredAt: Date? = t0,
        orderKey: String? = nil
    ) -> IncomingEvent {
        var event = IncomingEvent(
            source: source,
            eventID: id,
            type: type,
            occurredAt: occurredAt,
            receivedAt: t0,
            origin: origin,
            headers: ["content-type": "application/json"],
            body: Array("{\"id\":\"\(id)\"}".utf8),
            routes: routes
        )
        if let orderKey { event.orderKeys = Dictionary(uniqueKeysWithValues: routes.map { ($0, orderKey) }) }
        return event
    }

    func event(_ id: String, routes: [String] = ["r"], type: String = "charge.succeeded", origin: EventOrigin = .webhook) -> IncomingEvent {
        Self.event(id, routes: routes, type: type, origin: origin)
    }

    /// Records an outcome for each claimed delivery: `dead` for the ids named, else done.
    func finish(_ claimed: [ClaimedDelivery], in inbox: any Inbox, owner: String, dead: Set<String> = []) async throws {
        for delivery in claimed {
            let dies = dead.contains(delivery.eventID)
            try await inbox.recordAttempt(
                AttemptRecord(
                    deliveryID: delivery.deliveryID,
                    leaseOwner: owner,
                    startedAt: t0,
                    finishedAt: t0,
                    error: dies ? "boom" : nil,
                    decision: dies ? .dead : .done
                )
            )
        }
    }

    // MARK: Ingest

    @Test(arguments: InboxBackend.all) func storingTwiceIsANoOpThatCountsArrivals(backend: InboxBackend) async throws {
        let inbox = try await ContractInbox(backend, in: directory).inbox
        #expect(try await inbox.store(event("evt_1")) == .stored)
        var again = event("evt_1", origin: .poll)
        again.body = Array("{\"different\":true}".utf8)
        #expect(try await inbox.store(again) == .duplicate)
        let details = try await inbox.eventDetails(id: "evt_1", source: nil)
        #expect(details.count == 1)
        #expect(details[0].summary.arrivals == 2)
        #expect(details[0].summary.origin == .webhook)
        #expect(details[0].body == "{\"id\":\"evt_1\"}")
        #expect(details[0].deliveries.count == 1)
        #expect(try await inbox.contains(source: "shop", dedupKey: "evt_1"))
        #expect(try await !inbox.contains(source: "other", dedupKey: "evt_1"))
        #expect(try await !inbox.contains(source: "shop", dedupKey: "evt_2"))
    }

    /// A page holding one key twice (an event modified twice within the page): the first is
    /// stored with its deliveries, once; the second is a repeat.
    @Test(arguments: InboxBackend.all) func aKeyTwiceInOnePageIsStoredOnceWithItsFirstBody(backend: InboxBackend) async throws {
        let inbox = try await ContractInbox(backend, in: directory).inbox
        var later = event("evt_1", origin: .poll)
        later.body = Array("{\"later\":true}".utf8)
        let page = [event("evt_2", origin: .poll), event("evt_1", origin: .poll), later]
        #expect(try await inbox.storePage(page, source: "shop", cursor: "c1") == [.stored, .stored, .duplicate])
        let details = try await inbox.eventDetails(id: "evt_1", source: nil)
        #expect(details.count == 1)
        #expect(details.first?.body == "{\"id\":\"evt_1\"}")
        #expect(details.first?.deliveries.count == 1)
    }

    @Test(arguments: InboxBackend.all) func eventsAreFoundByIdOrDedupKey(backend: InboxBackend) async throws {
        let inbox = try await ContractInbox(backend, in: directory).inbox
        var first = event("gh-delivery")
        first.dedupKey = "1:gh-delivery"
        var second = event("gh-delivery")
        second.dedupKey = "2:gh-delivery"
        #expect(try await inbox.store(first) == .stored)
        #expect(try await inbox.store(second) == .stored)
        #expect(try await inbox.eventDetails(id: "gh-delivery", source: nil).count == 2)
        #expect(try await inbox.eventDetails(id: "2:gh-delivery", source: "shop").map(\.dedupKey) == ["2:gh-delivery"])
    }

    @Test(arguments: InboxBackend.all) func concurrentStoresOfOneEventStoreItOnce(backend: InboxBackend) async throws {
        let inbox = try await ContractInbox(backend, in: directory).inbox
        let results = try await withThrowingTaskGroup(of: StoreResult.self) { group in
            for _ in 0..<20 { group.addTask { try await inbox.store(event("evt_same")) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter { $0 == .stored }.count == 1)
        #expect(results.filter { $0 == .duplicate }.count == 19)
        let events = try await inbox.events(EventQuery())
        #expect(events.count == 1)
        #expect(events[0].arrivals == 20)
    }

    /// Two agents storing the same events at once: each stored once, and the arrivals of both
    /// add up once the second has shut down.
    @Test(arguments: InboxBackend.all) func twoHandlesStoringAtOnceStoreEachEventOnce(backend: InboxBackend) async throws {
        let shared = try await ContractInbox(backend, in: directory)
        let other = try await shared.another()
        let results = try await withThrowingTaskGroup(of: StoreResult.self) { group in
            for index in 0..<50 {
                group.addTask { try await shared.inbox.store(event("evt_\(index)")) }
                group.addTask { try await other.store(event("evt_\(index)")) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter { $0 == .stored }.count == 50)
        try await other.shutdown()
        let events = try await shared.inbox.events(EventQuery(limit: 1000))
        #expect(events.count == 50)
        #expect(events.allSatisfy { $0.arrivals == 2 })
    }

    @Test(arguments: InboxBackend.all) func concurrentStoresOfManyEventsAllLand(backend: InboxBackend) async throws {
        let inbox = try await ContractInbox(backend, in: directory).inbox
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 { group.addTask { _ = try await inbox.store(event("evt_\(index)")) } }
            try await group.waitForAll()
        }
        #expect(try await inbox.events(EventQuery(limit: 1000)).count == 200)
        #expect(try await inbox.events(EventQuery(limit: 1000)).allSatisfy { $0.state == .pending })
    }

    @Test(arguments: InboxBackend.all) func lastWebhookArrivalIgnoresPolledEvents(backend: InboxBackend) async throws {
        let inbox = try await ContractInbox(backend, in: directory).inbox
        #expect(try await inbox.lastWebhookArrival(source: "shop") == nil)
        _ = try await inbox.store(event("evt_polled", origin: .poll))
        #expect(try await inbox.lastWebhookArrival(source: "shop") == nil)
        _ = try await inbox.store(event("evt_pushed"))
        #expect(try await inbox.lastWebhookArrival(source: "shop") == t0)
        try await inbox.checkWritable()
    }

    // MARK: Claims and leases

    @Test(arguments: InboxBackend.all) func claimLeasesDueDeliveriesOnceAndRecordsOutcomes(backend: InboxBackend) async throws {
        let inbox = try await ContractInbox(backend, in: directory).inbox
        _ = try await inbox.store(event("evt_a", routes: ["r", "s"]))
        let first = try await inbox.claimDueDeliveries(routes: ["r", "s"], limit: 10, now: t0, lease: .seconds(60), owner: "w1")
        #expect(first.map(\.route).sorted() == ["r", "s"])
        #expect(first.allSatisfy { $0.attempt == 1 && $0.eventID == "evt_a" && $0.body == Array("{\"id\":\"evt_a\"}".utf8) })
        #expect(first.allSatisfy { $0.contentType == "application/json" && !$0.late })
        // Leased deliveries are not handed out again, and unknown routes are not claimed.
        #expect(try await inbox.claimDueDeliveries(routes: ["r", "s"], limit: 10, now: t0, lease: .seconds(60), owner: "w2").isEmpty)
        #expect(try await inbox.nextDueDate(routes: ["r", "s"], after: t0) == nil)

        let r = try #require(first.first { $0.route == "r" })
        let s = try #require(first.first { $0.route == "s" })
        try await inbox.recordAttempt(
            AttemptRecord(deliveryID: r.deliveryID, leaseOwner: "w1", startedAt: t0, finishedAt: t0, error: nil, decision: .done)
        )
        try await inbox.recordAttempt(
            AttemptRecord(
                deliveryID: s.deliveryID,
                leaseOwner: "w1",
                startedAt: t0,
                finishedAt: t0,
                error: "exit status 1",
                decision: .retry(after: .seconds(5))
            )
        )
        // An agent that does not hold the lease cannot overwrite the outcome.
        try await inbox.recordAttempt(
            AttemptRecord(deliveryID: r.deliveryID, leaseOwner: "w2", startedAt: t0, finishedAt: t0, error: "late", decision: .dead)
        )

        #expect(try await inbox.nextDueDate(routes: ["s"], after: t0) == t0.addingTimeInterval(5))
        #expect(try await inbox.nextDueDate(routes: ["s"], after: t0.addingTimeInterval(5)) == nil, "due already: passed over")
        #expect(try await inbox.claimDueDeliveries(routes: ["s"], limit: 10, now: t0.addingTimeInterval(4), lease: .seconds(60), owner: "w1").isEmpty)
        let retry = try await inbox.claimDueDeliveries(routes: ["s"], limit: 10, now: t0.addingTimeInterval(5), lease: .seconds(60), owner: "w1")
        #expect(retry.map(\.attempt) == [2])

        let detail = try #require(try await inbox.eventDetails(id: "evt_a", source: "shop").first)
        #expect(detail.summary.state == .retrying)
        #expect(detail.deliveries.first { $0.route == "r" }?.state == .done)
        #expect(detail.deliveries.first { $0.route == "r" }?.history.map(\.outcome) == ["ok"])
        #expect(detail.deliveries.first { $0.route == "s" }?.lastError == "exit status 1")
        #expect(detail.deliveries.first { $0.route == "s" }?.leased == true)
    }

    /// Two agents claiming at once never lease one delivery twice, and between them take all.
    @Test(arguments: InboxBackend.all) func concurrentClaimsNeverLeaseADeliveryTwice(backend: InboxBackend) async throws {
        let shared = try await ContractInbox(backend, in: directory)
        let other = try await shared.another()
        for index in 0..<60 { _ = try await shared.inbox.store(event("evt_\(index)")) }
        let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for round in 0..<12 {
                let inbox = round.isMultiple(of: 2) ? shared.inbox : other
                let owner = round.isMultiple(of: 2) ? "node-a" : "node-b"
                group.addTask {
                    try await inbox.claimDueDeliveries(routes: ["r"], limit: 7, now: Self.t0, lease: .seconds(60), owner: owner).map(\.deliveryID)
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(claimed.count == 60)
        #expect(Set(claimed).count == 60)
        try await other.shutdown()
    }

    @Test(arguments: InboxBackend.all) func expiredLeasesAreClaimableByAnotherAgent(backend: InboxBackend) async throws {
        let inbox = try await ContractInbox(backend, in: directory).inbox
        _ = try await inbox.store(event("evt_l"))
        // On a server's clock the lease is short and real time passes; otherwise the claims'
        // `now` moves past it.
        let lease: Duration = backend.leasesOnServerClock ? .seconds(2) : .seconds(10)
        #expect(try await inbox.claimDueDeliveries(routes: ["r"], limit: 1, now: t0, lease: lease, owner: "node-a").count == 1)
        #expect(
            try await inbox.claimDueDeliveries(routes: ["r"], limit: 1, now: t0.addingTimeInterval(10), lease: lease, owner: "node-b").isEmpty
        )
        // An idle agent sharing the inbox wakes when the lease runs out: node-a may be dead.
        if backend.sharedByAgents {
            let now = Date()
            let wake = try #require(try await inbox.nextDueDate(routes: ["r"], after: now))
            #expect(wake > now && wake <= now + lease.seconds, "\(wake) vs \(now)")
        }
        var taken: [ClaimedDelivery] = []
        try await eventually("the lease to expire") {
            taken = try await inbox.claimDueDeliveries(routes: ["r"], limit: 1, now: t0.addingTimeInterval(11), lease: lease, owner: "node-b")
            return !taken.isEmpty
        }
        #expect(taken.map(\.attempt) == [2])
        let history = try await inbox.eventDetails(id: "evt_l", source: nil).first?.deliveries.first?.history
        #expect(history?.map(\.outcome) == ["interrupted"])
        #expect(history?.first?.error == "the lease of agent node-a ran out during this attempt")
        // node-a's late outcome is ignored: node-b holds the delivery now.
        try await inbox.recordAttempt(
            AttemptRecord(deliveryID: taken[0].deliveryID, leaseOwner: "node-a", startedAt: t0, finishedAt: t0, error: nil, decision: .done)
        )
        #expect(try await inbox.eventDetails(id: "evt_l", source: nil).first?.summary.state == .pending)
    }

    /// At start an agent takes back its own leases and expired ones, never another agent's
    /// live lease: that agent is still running the delivery.
    @Test(arguments: InboxBackend.all) func recoveryTakesBackOwnAndExpiredLeasesAndSparesLiveOnes(backend: InboxBackend) async throws {
        let inbox = try await ContractInbox(backend, in: directory).inbox
        for id in ["evt_mine", "evt_theirs", "evt_expired"] { _ = try await inbox.store(event(id, routes: [id])) }
        _ = try await inbox.claimDueDeliveries(routes: ["evt_mine"], limit: 1, now: t0, lease: .seconds(60), owner: "node-a")
        _ = try await inbox.claimDueDeliveries(routes: ["evt_theirs"], limit: 1, now: t0, lease: .seconds(60), owner: "node-b")
        let short: Duration = backend.leasesOnServerClock ? .milliseconds(200) : .seconds(5)
        _ = try await inbox.claimDueDeliveries(routes: ["evt_expired"], limit: 1, now: t0, lease: short, owner: "node-c")
        if backend.leasesOnServerClock { try await Task.sleep(for: short * 2) }

        #expect(try await inbox.recoverLeases(owner: "node-a", now: t0.addingTimeInterval(10)) == 2)
        func delivery(_ id: String) async throws -> DeliveryDetail {
            try #require(try await inbox.eventDetails(id: id, source: nil).first?.deliveries.first)
        }
        #expect(try await delivery("evt_mine").leased == false)
        #expect(try await delivery("evt_mine").history.map(\.outcome) == ["interrupted"])
        #expect(try await delivery("evt_expired").leased == false)
        #expect(try await delivery("evt_expired").history.map(\.outcome) == ["interrupted"])
        #expect(try await delivery("evt_theirs").leased == true, "another agent's live lease is spared")
        #expect(try await delivery("evt_theirs").history.isEmpty)

        // The spared delivery stays node-b's: its outcome still counts, nobody else claims it.
        let retaken = try await inbox.claimDueDeliveries(
            routes: ["evt_mine", "evt_theirs", "evt_expired"],
            limit: 10,
            now: t0.addingTimeInterval(10),
            lease: .seconds(60),
            owner: "node-a"
        )
        #expect(retaken.map(\.route).sorted() == ["evt_expired", "evt_mine"])
        #expect(retaken.allSatisfy { $0.attempt == 2 }, "the interrupted attempt counts")
        let theirs = try #require(try await inbox.eventDetails(id: "evt_theirs", source: nil).first?.deliveries.first)
        try await inbox.recordAttempt(
            AttemptRecord(deliveryID: theirs.id, leaseOwner: "node-b", startedAt: t0, finishedAt: t0, error: nil, decision: .done)
        )
        #expect(try await delivery("evt_theirs").state == .done)
        #expect(try await inbox.recoverLeases(owner: "node-b", now: t0.addingTimeInterval(10)) == 0)
    }

    // MARK: Order keys

    /// One delivery of a (route, key) at a time, earliest occurrence first; other keys and
    /// routes run beside it; a retrying event holds back its key only.
    @Test(arguments: InboxBackend.all) func orderKeysRunOneAtATimeInOccurrenceOrder(backend: InboxBackend) async throws {
        let inbox = try await ContractInbox(backend, in: directory).inbox
        // Stored out of order: the second occurred first.
        _ = try await inbox.store(Self.event("a2", occurredAt: t0.addingTimeInterval(2), orderKey: "cus_a"))
        _ = try await inbox.store(Self.event("a1", occurredAt: t0.addingTimeInterval(1), orderKey: "cus_a"))
        _ = try await inbox.store(Self.event("b1", occurredAt: t0.addingTimeInterval(3), orderKey: "cus_b"))
        _ = try await inbox.store(Self.event("free", occurredAt: t0.addingTimeInterval(4)))
        let now = t0.addingTimeInterval(10)
        func claim(_ owner: String = "w") async throws -> [ClaimedDelivery] {
            try await inbox.claimDueDeliveries(routes: ["r"], limit: 10, now: now, lease: .seconds(60), owner: owner)
        }
        let first = try await claim()
        #expect(first.map(\.eventID).sorted() == ["a1", "b1", "free"])
        #expect(try await claim("other").isEmpty, "a2 waits while a1 is in flight")
        // a1 fails and retries later: a2 still waits for it.
        let a1 = try #require(first.first { $0.eventID == "a1" })
        try await inbox.recordAttempt(
            AttemptRecord(
                deliveryID: a1.deliveryID,
                leaseOwner: "w",
                startedAt: now,
                finishedAt: now,
                error: "503",
                decision: .retry(after: .seconds(30))
            )
        )
        #expect(try await claim().isEmpty, "a2 waits for the earlier a1")
        let retried = try await inbox.claimDueDeliveries(routes: ["r"], limit: 10, now: now.addingTimeInterval(30), lease: .seconds(60), owner: "w")
        #expect(retried.map(\.eventID) == ["a1"])
        try await finish(retried, in: inbox, owner: "w")
        let next = try await inbox.claimDueDeliveries(routes: ["r"], limit: 10, now: now.addingTimeInterval(30), lease: .seconds(60), owner: "w")
        #expect(next.map(\.eventID) == ["a2"])
        #expect(next.allSatisfy { !$0.late })
    }

    /// An event that arrives after a later event of its key was delivered is marked late, and
    /// does not wait for anything.
    @Test(arguments: InboxBackend.all) func anEventOlderThanADeliveredOneIsLate(backend: InboxBackend) async throws {
        let inbox = try await ContractInbox(backend, in: directory).inbox
        _ = try await inbox.store(Self.event("second", occurredAt: t0.addingTimeInterval(2), orderKey: "k"))
        try await finish(
            try await inbox.claimDueDeliveries(routes: ["r"], limit: 10, now: t0, lease: .seconds(60), owner: "w"),
            in: inbox,
            owner: "w"
        )
        _ = try await inbox.store(Self.event("first", occurredAt: t0.addingTimeInterval(1), orderKey: "k"))
        _ = try await inbox.store(Self.event("third", occurredAt: t0.addingTimeInterval(3), orderKey: "k"))
        let claimed = try await inbox.claimDueDeliveries(routes: ["r"], limit: 10, now: t0, lease: .seconds(60), owner: "w")
        #expect(claimed.map(\.eventID) == ["first"])
        #expect(claimed.first?.late == true)
        try await finish(claimed, in: inbox, owner: "w")
        let last = try await inbox.claimDueDeliveries(routes: ["r"], limit: 10, now: t0, lease: .seconds(60), owner: "w")
        #expect(last.map(\.eventID) == ["third"])
        #expect(last.first?.late == false)
    }

    /// Many held deliveries of one key ahead in due order must not hide a runnable delivery of
    /// another key behind them.
    @Test(arguments: InboxBackend.all) func heldDeliveriesDoNotHideRunnableOnes(backend: InboxBackend) async throws {
        let inbox = try await ContractInbox(backend, in: directory).inbox
        for index in 0..<150 {
            _ = try await inbox.store(Self.event("busy_\(index)", occurredAt: t0.addingTimeInterval(Double(index)), orderKey: "busy"))
        }
        _ = try await inbox.store(Self.event("quiet", occurredAt: t0.addingTimeInterval(500), orderKey: "quiet"))
        let claimed = try await inbox.claimDueDeliveries(routes: ["r"], limit: 2, now: t0.addingTimeInterval(600), lease: .seconds(60), owner: "w")
        #expect(claimed.map(\.eventID) == ["busy_0", "quiet"])
    }

    /// Random rounds of claims and outcomes over a few keys: every claim takes exactly what the
    /// reference model (`OrderingGate.KeyFacts(of:among:now:)` and the gate) says may run now.
    @Test(arguments: InboxBackend.all) func claimsMatchTheReferenceOrderingModel(backend: InboxBackend) async throws {
        let inbox = try await ContractInbox(backend, in: directory).inbox
        var random = SeededGenerator(seed: 15)
        struct Tracked {
            var eventID: String
            var key: String?
            var model: OrderingGate.KeyedDelivery
        }
        var tracked: [String: Tracked] = [:]
        // Stored in shuffled order with distinct occurrence times, so arrival order differs.
        for (sequence, index) in Array(0..<40).shuffled(using: &random).enumerated() {
            let id = "evt_\(index)"
            let key = index.isMultiple(of: 7) ? nil : "k\(index % 3)"
            let occurred = t0.addingTimeInterval(Double(index))
            _ = try await inbox.store(Self.event(id, occurredAt: occurred, orderKey: key))
            let position = OrderingGate.Position(time: occurred.timeIntervalSince1970, sequence: Int64(sequence))
            tracked[id] = Tracked(eventID: id, key: key, model: .init(id: Int64(sequence), position: position, state: .pending, leaseUntil: nil))
        }
        var now = t0.addingTimeInterval(100)
        var sequence = Int64(tracked.count)
        // Leases in flight expire after 3 rounds of the claims' clock; on a server's clock they
        // outlast the test, and the model holds them as long.
        let lease: Duration = backend.leasesOnServerClock ? .seconds(3600) : .seconds(3)
        for round in 0..<40 {
            now = now.addingTimeInterval(1)
            let clock = now.timeIntervalSince1970
            // A late arrival: it occurred before events of its key that may be in flight or done.
            if round.isMultiple(of: 2) {
                let id = "late_\(round)"
                let key = "k\(round % 3)"
                let occurred = t0.addingTimeInterval(Double(Int.random(in: 0..<40, using: &random)) + 0.5)
                _ = try await inbox.store(Self.event(id, occurredAt: occurred, orderKey: key))
                let position = OrderingGate.Position(time: occurred.timeIntervalSince1970, sequence: sequence)
                tracked[id] = Tracked(eventID: id, key: key, model: .init(id: sequence, position: position, state: .pending, leaseUntil: nil))
                sequence += 1
            }
            // What the model says may run: due and unleased (or expired), with clear key facts,
            // and (ordered by position) at most one per key.
            var expected = Set<String>()
            for entry in tracked.values where !entry.model.state.isFinished && (entry.model.leaseUntil ?? -.infinity) < clock {
                guard let key = entry.key else {
                    expected.insert(entry.eventID)
                    continue
                }
                let sameKey = tracked.values.filter { $0.key == key }.map(\.model)
                let facts = OrderingGate.KeyFacts(of: entry.model, among: sameKey, now: clock)
                if !facts.inFlight && !facts.earlierUnfinished { expected.insert(entry.eventID) }
            }
            let claimed = try await inbox.claimDueDeliveries(routes: ["r"], limit: 100, now: now, lease: lease, owner: "w")
            #expect(Set(claimed.map(\.eventID)) == expected, "round \(round)")
            for delivery in claimed {
                tracked[delivery.eventID]?.model.leaseUntil = clock + lease.seconds
                // Finish some now, leave some in flight until their leases expire.
                let roll = Int.random(in: 0..<10, using: &random)
                guard roll < 8 else { continue }
                let decision: DeliveryPolicy.Decision = roll < 5 ? .done : roll < 7 ? .retry(after: .zero) : .dead
                try await inbox.recordAttempt(
                    AttemptRecord(deliveryID: delivery.deliveryID, leaseOwner: "w", startedAt: now, finishedAt: now, error: nil, decision: decision)
                )
                tracked[delivery.eventID]?.model.leaseUntil = nil
                tracked[delivery.eventID]?.model.state =
                    switch decision {
                    case .done: .done
                    case .retry: .retrying
                    case .dead: .dead
                    }
            }
        }
        #expect(tracked.values.contains { $0.model.state == .done })
        #expect(tracked.values.contains { $0.model.state == .dead })
    }

    // MARK: Dead letters and replay

    @Test(arguments: InboxBackend.all) func deadLettersAreListedAndReplayResetsAttempts(backend: InboxBackend) async throws {
        let inbox = try await ContractInbox(backend, in: directory).inbox
        _ = try await inbox.store(event("evt_d"))
        _ = try await inbox.store(event("evt_ok"))
        try await finish(
            try await inbox.claimDueDeliveries(routes: ["r"], limit: 10, now: t0, lease: .seconds(60), owner: "w"),
            in: inbox,
            owner: "w",
            dead: ["evt_d"]
        )
        let dead = try await inbox.deadLetters(limit: 10)
        #expect(dead.map(\.id) == ["evt_d"])
        #expect(dead[0].lastError == "boom")
        #expect(dead[0].attempts == 1)
        #expect(try await inbox.events(EventQuery(state: .dead)).map(\.id) == ["evt_d"])
        #expect(try await inbox.events(EventQuery(state: .done)).map(\.id) == ["evt_ok"])

        #expect(try await inbox.replay(.events(["evt_ok"], source: nil), now: t0) == 0)
        #expect(try await inbox.replay(.events(["evt_d"], source: "other"), now: t0) == 0)
        #expect(try await inbox.replay(.events(["evt_d"], source: "shop"), now: t0) == 1)
        #expect(try await inbox.deadLetters(limit: 10).isEmpty)
        let detail = try #require(try await inbox.eventDetails(id: "evt_d", source: nil).first)
        #expect(detail.summary.state == .pending)
        #expect(detail.deliveries[0].attempts == 0)
        #expect(detail.deliveries[0].replays == 1)
        #expect(detail.deliveries[0].history.count == 1)
        #expect(try await inbox.claimDueDeliveries(routes: ["r"], limit: 10, now: t0, lease: .seconds(60), owner: "w").map(\.eventID) == ["evt_d"])
    }

    @Test(arguments: InboxBackend.all) func deadLetterFiltersNarrowListingReplayAndPurge(backend: InboxBackend) async throws {
        let inbox = try await ContractInbox(backend, in: directory).inbox
        _ = try await inbox.store(event("inv_1", routes: ["erp", "mail"], type: "invoice.paid"))
        _ = try await inbox.store(event("ch_1", routes: ["erp"], type: "charge.failed"))
        var crm = event("crm_1", routes: ["erp"], type: "invoice.voided")
        crm.source = "crm"
        _ = try await inbox.store(crm)
        try await finish(
            try await inbox.claimDueDeliveries(routes: ["erp", "mail"], limit: 10, now: t0, lease: .seconds(60), owner: "w"),
            in: inbox,
            owner: "w",
            dead: ["inv_1", "ch_1", "crm_1"]
        )
        #expect(try await inbox.deadLetters(limit: 10).count == 4)
        #expect(try await inbox.deadLetters(limit: 2).count == 2)
        #expect(try await inbox.deadLetters(DeadLetterFilter(source: "crm"), limit: 10).map(\.id) == ["crm_1"])
        #expect(try await inbox.deadLetters(DeadLetterFilter(route: "mail"), limit: 10).map(\.id) == ["inv_1"])
        let invoices = DeadLetterFilter(type: EventTypeGlob("invoice.*"))
        #expect(try await inbox.deadLetters(invoices, limit: 10).map(\.id).sorted() == ["crm_1", "inv_1", "inv_1"])
        #expect(try await inbox.deadLetters(DeadLetterFilter(since: t0.addingTimeInterval(1)), limit: 10).isEmpty)
        #expect(try await inbox.deadLetters(DeadLetterFilter(before: t0.addingTimeInterval(1)), limit: 10).count == 4)

        #expect(try await inbox.replay(.matching(DeadLetterFilter(route: "mail")), now: t0) == 1)
        #expect(try await inbox.purgeDeadLetters(DeadLetterFilter(source: "crm")) == 1)
        #expect(try await inbox.eventDetails(id: "crm_1", source: nil).isEmpty, "an event left with no delivery goes too")
        #expect(try await inbox.purgeDeadLetters(DeadLetterFilter(events: ["inv_1"])) == 1)
        let invoice = try #require(try await inbox.eventDetails(id: "inv_1", source: nil).first)
        #expect(invoice.deliveries.map(\.route) == ["mail"], "the replayed delivery and its event stay")
        #expect(try await inbox.replay(.allDead, now: t0) == 1)
        #expect(try await inbox.deadLetters(limit: 10).isEmpty)
    }

    // MARK: Queries

    @Test(arguments: InboxBackend.all) func eventWithoutRoutesIsDoneAndStatusCountsByState(backend: InboxBackend) async throws {
        let inbox = try await ContractInbox(backend, in: directory).inbox
        _ = try await inbox.store(event("evt_none", routes: []))
        _ = try await inbox.store(event("evt_wait", routes: ["r"]))
        _ = try await inbox.store(event("evt_wait"))
        _ = try await inbox.store(event("evt_polled", routes: [], origin: .poll))
        let events = try await inbox.events(EventQuery())
        #expect(events.first { $0.id == "evt_none" }?.state == .done)
        #expect(events.first { $0.id == "evt_wait" }?.state == .pending)
        let status = try await inbox.status()
        #expect(status.sources.map(\.source) == ["shop"])
        #expect(status.sources[0].byState == ["done": 2, "pending": 1])
        #expect(status.sources[0].byOrigin == ["webhook": 2, "poll": 1])
        #expect(status.sources[0].duplicates == 1)
        #expect(status.sources[0].lastReceivedAt == t0)
        #expect(status.routes.map(\.route) == ["r"])
        #expect(status.routes[0].pending == 1)
        #expect(status.routes[0].oldestPendingAt == t0)
    }

    @Test(arguments: InboxBackend.all) func eventListingFiltersBySourceAndLimitsNewestFirst(backend: InboxBackend) async throws {
        let inbox = try await ContractInbox(backend, in: directory).inbox
        for index in 0..<3 { _ = try await inbox.store(event("evt_\(index)")) }
        var other = event("evt_other")
        other.source = "crm"
        _ = try await inbox.store(other)
        #expect(try await inbox.events(EventQuery(source: "crm")).map(\.id) == ["evt_other"])
        #expect(try await inbox.events(EventQuery(source: "shop", limit: 2)).map(\.id) == ["evt_2", "evt_1"])
        #expect(try await inbox.events(EventQuery(source: "none")).isEmpty)
    }

    // MARK: Polling

    @Test(arguments: InboxBackend.all) func aPageAndItsCursorCommitTogether(backend: InboxBackend) async throws {
        let inbox = try await ContractInbox(backend, in: directory).inbox
        #expect(try await inbox.pollState(source: "shop") == nil)
        _ = try await inbox.store(event("evt_2"))
        let results = try await inbox.storePage(
            [event("evt_1", origin: .poll), event("evt_2", origin: .poll), event("evt_3", origin: .poll)],
            source: "shop",
            cursor: "evt_3"
        )
        #expect(results == [.stored, .duplicate, .stored])
        #expect(try await inbox.pollState(source: "shop")?.cursor == "evt_3")
        _ = try await inbox.storePage([], source: "shop", cursor: nil)
        #expect(try await inbox.pollState(source: "shop")?.cursor == "evt_3", "a nil cursor leaves it where it was")
        #expect(try await inbox.events(EventQuery()).count == 3)

        let synced = t0.addingTimeInterval(-60)
        try await inbox.recordPass(
            source: "shop",
            PollPassRecord(syncedUntil: synced, polledAt: t0, health: .degraded, healthReason: "2 missed")
        )
        try await inbox.recordPass(
            source: "shop",
            PollPassRecord(syncedUntil: nil, polledAt: t0.addingTimeInterval(5), error: "HTTP 503", health: .degraded)
        )
        let state = try #require(try await inbox.pollState(source: "shop"))
        #expect(state.cursor == "evt_3")
        #expect(state.syncedUntil == synced, "a failed pass leaves the synced time where it was")
        #expect(state.lastPollAt == t0.addingTimeInterval(5))
        #expect(state.lastError == "HTTP 503")
        #expect(state.missed == 0)
        #expect(state.health == .degraded)
    }

    /// A polled event waits for its webhook until its grace runs out, whatever its age when
    /// polled: judged missed then, once, unless a webhook brought it meanwhile. Events not
    /// waiting (webhook first, untimed, poll-only) are never judged.
    @Test(arguments: InboxBackend.all) func polledEventsWaitForTheirWebhooksUntilJudged(backend: InboxBackend) async throws {
        let inbox = try await ContractInbox(backend, in: directory).inbox
        func polled(_ id: String, at offset: TimeInterval, awaits: Bool = true, occurred: Bool = true) -> IncomingEvent {
            var event = Self.event(id, origin: .poll, occurredAt: occurred ? t0.addingTimeInterval(offset) : nil)
            event = IncomingEvent(
                source: event.source,
                eventID: event.eventID,
                type: event.type,
                occurredAt: event.occurredAt,
                receivedAt: t0,
                origin: .poll,
                headers: event.headers,
                body: event.body,
                routes: event.routes,
                awaitsWebhook: awaits
            )
            return event
        }
        _ = try await inbox.store(Self.event("evt_hooked_first", occurredAt: t0.addingTimeInterval(-50)))
        let page = [
            polled("evt_old", at: -40), polled("evt_young", at: -5), polled("evt_heard_later", at: -4),
            polled("evt_untimed", at: 0, occurred: false), polled("evt_poll_only", at: -30, awaits: false),
            polled("evt_hooked_first", at: -50),
        ]
        #expect(try await inbox.storePage(page, source: "shop", cursor: nil).last == .duplicate)
        // Its webhook arrives after the poll, before the grace runs out: it waits no more.
        #expect(try await inbox.store(Self.event("evt_heard_later", occurredAt: t0.addingTimeInterval(-4))) == .duplicate)

        #expect(try await inbox.judgeMissedWebhooks(source: "shop", occurredBy: t0.addingTimeInterval(-40)) == [], "not before the cutoff")
        let first = try await inbox.judgeMissedWebhooks(source: "shop", occurredBy: t0.addingTimeInterval(-30))
        #expect(first == [MissedWebhook(eventID: "evt_old", type: "charge.succeeded")])
        #expect(try await inbox.judgeMissedWebhooks(source: "other", occurredBy: t0) == [])
        let second = try await inbox.judgeMissedWebhooks(source: "shop", occurredBy: t0)
        #expect(second.map(\.eventID) == ["evt_young"], "judged once each; the heard, untimed and poll-only ones never")
        #expect(try await inbox.judgeMissedWebhooks(source: "shop", occurredBy: t0.addingTimeInterval(3600)) == [])
        #expect(try await inbox.pollState(source: "shop")?.missed == 2)
    }

    // MARK: Maintenance

    // MARK: Agents and poll leadership

    static func agent(_ id: String) -> AgentIdentity {
        AgentIdentity(id: id, host: "host-\(id)", version: "9.9.9", startedAt: t0)
    }

    /// At most one agent leads a source; a page from an agent that does not lead it is
    /// refused whole, and the leadership passes on when its holder's term runs out or it
    /// gives it up. Terms are long, except the one the test waits out, so that a loaded
    /// machine cannot end one early.
    @Test(arguments: InboxBackend.shared) func oneAgentLeadsASourceAndOnlyItsPagesMoveTheCursor(backend: InboxBackend) async throws {
        let shared = try await ContractInbox(backend, in: directory)
        let inbox = shared.inbox
        let other = try await shared.another()
        let long: Duration = .seconds(120)
        #expect(try await inbox.heartbeat(Self.agent("node-a"), sources: ["shop", "crm"], term: long) == ["shop", "crm"])
        #expect(try await other.heartbeat(Self.agent("node-b"), sources: ["shop", "crm", "erp"], term: long) == ["erp"])
        #expect(try await inbox.heartbeat(Self.agent("node-a"), sources: ["shop", "crm"], term: long) == ["shop", "crm"], "renewed")

        let page = [event("evt_p1", origin: .poll)]
        await #expect(throws: LeadershipLost.self) {
            try await other.storePage(page, source: "shop", cursor: "c-b", leader: "node-b")
        }
        #expect(try await inbox.pollState(source: "shop") == nil, "nothing stored, the cursor not moved")
        #expect(try await !inbox.contains(source: "shop", dedupKey: "evt_p1"))
        #expect(try await inbox.storePage(page, source: "shop", cursor: "c-a", leader: "node-a") == [.stored])
        #expect(try await inbox.pollState(source: "shop")?.cursor == "c-a")

        let agents = try await other.agents()
        #expect(agents.map(\.identity.id) == ["node-a", "node-b"])
        #expect(agents.first?.identity == Self.agent("node-a"))
        #expect(agents.first?.leads == ["crm", "shop"])
        #expect(agents.last?.leads == ["erp"])
        #expect(agents.allSatisfy { $0.silentFor < .seconds(60) })

        // node-a gives its leaderships up by stopping; then it takes "shop" back for a short
        // term, which passes to node-b when it runs out.
        try await inbox.releaseLeadership(agent: "node-a")
        #expect(try await other.heartbeat(Self.agent("node-b"), sources: ["crm"], term: long) == ["crm"])
        #expect(try await inbox.heartbeat(Self.agent("node-a"), sources: ["crm"], term: long).isEmpty)
        #expect(try await inbox.heartbeat(Self.agent("node-a"), sources: ["shop"], term: .milliseconds(300)) == ["shop"])
        try await eventually("node-a's term to run out") {
            try await other.heartbeat(Self.agent("node-b"), sources: ["shop"], term: long) == ["shop"]
        }
        await #expect(throws: LeadershipLost.self) {
            try await inbox.storePage([event("evt_p2", origin: .poll)], source: "shop", cursor: "c-a2", leader: "node-a")
        }
        #expect(try await inbox.pollState(source: "shop")?.cursor == "c-a")
        try await other.shutdown()
    }

    @Test(arguments: InboxBackend.all) func pruneDeletesOnlyOldEventsWhoseDeliveriesAreDone(backend: InboxBackend) async throws {
        let inbox = try await ContractInbox(backend, in: directory).inbox
        for id in ["old_done", "old_dead", "old_pending", "old_done_2"] { _ = try await inbox.store(event(id)) }
        _ = try await inbox.store(event("old_unrouted", routes: []))
        let claimed = try await inbox.claimDueDeliveries(routes: ["r"], limit: 10, now: t0, lease: .seconds(60), owner: "w")
        try await finish(claimed.filter { $0.eventID != "old_pending" }, in: inbox, owner: "w", dead: ["old_dead"])
        var recent = event("recent")
        recent.receivedAt = t0.addingTimeInterval(3600)
        recent.routes = []
        _ = try await inbox.store(recent)

        let cutoff = t0.addingTimeInterval(60)
        #expect(try await inbox.prune(receivedBefore: cutoff, limit: 2) == 2)
        #expect(try await inbox.prune(receivedBefore: cutoff, limit: 2) == 1)
        #expect(try await inbox.prune(receivedBefore: cutoff, limit: 2) == 0)
        #expect(try await inbox.events(EventQuery()).map(\.id).sorted() == ["old_dead", "old_pending", "recent"])
        #expect(try await !inbox.contains(source: "shop", dedupKey: "old_done"), "pruned: the dedup window ends")
    }

    @Test(arguments: InboxBackend.all) func openingAMissingInboxForReadingFailsClearly(backend: InboxBackend) async throws {
        let location = try await backend.location(directory)
        let error = await #expect(throws: InboxError.self) { try await InboxFactory.open(location, access: .existing) }
        #expect(error?.description.contains("hooksync run") == true, "\(String(describing: error))")
    }
}
