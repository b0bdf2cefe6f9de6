import Crypto
import Foundation
import HTTPTypes
import HookSyncTesting
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing

@testable import HookSync
@testable import HookSyncCore

/// Routes as operators rely on them: fan-out, HTTP forwarding, per-key order.
@Suite struct DeliveryTests {
    static let forwardSecret = "whsec_" + Data((0..<32).map { UInt8($0 * 3 % 256) }).base64EncodedString()

    static func forwardRoute(_ port: Int, name: String = "app", maxAttempts: Int = 5) -> RouteConfig {
        RouteConfig(
            name: name,
            source: "shop",
            action: .forward(url: "http://127.0.0.1:\(port)/hooks", secret: .environment("FORWARD_SECRET")),
            timeout: .seconds(5),
            maxAttempts: maxAttempts,
            backoff: RetrySchedule(base: .milliseconds(10), max: .seconds(5))
        )
    }

    static var environment: [String: String] { ReceiverHarness.environment.merging(["FORWARD_SECRET": forwardSecret]) { $1 } }

    @Test func forwardHonoursRetryAfterAndIsSignedPerStandardWebhooks() async throws {
        let target = ForwardTarget(answers: [(503, ["Retry-After": "1"]), (503, ["Retry-After": "1"])])
        try await target.application().test(.live) { app in
            let harness = try await ReceiverHarness(
                environment: Self.environment,
                routes: [Self.forwardRoute(app.port!)],
                now: ReceiverHarness.stripeNow
            )
            try await harness.application().test(.live) { client in
                #expect(try await harness.postStripe(client, id: "evt_forward_1") == .ok)
                try await eventually("the third attempt to succeed", timeout: .seconds(15)) {
                    try await harness.storedEvents().first?.state == .done
                }
            }
            let requests = target.requests
            #expect(requests.count == 3)
            #expect(requests[1].at - requests[0].at >= .seconds(1), "Retry-After: 1 must be honoured")
            #expect(requests[2].at - requests[1].at >= .seconds(1))
            let detail = try #require(try await harness.inbox.eventDetails(id: "evt_forward_1", source: "shop").first)
            #expect(detail.deliveries.first?.history.map(\.outcome) == ["failed", "failed", "ok"])
            #expect(detail.deliveries.first?.history.first?.error?.hasPrefix("HTTP 503: answer 503") == true)

            // The application verifies the request with the Standard Webhooks algorithm, computed here.
            let last = requests[2]
            let id = try #require(last.headers[HTTPField.Name("webhook-id")!])
            let timestamp = try #require(last.headers[HTTPField.Name("webhook-timestamp")!])
            let key = SymmetricKey(data: Data(base64Encoded: String(Self.forwardSecret.dropFirst("whsec_".count)))!)
            let expected = Data(HMAC<SHA256>.authenticationCode(for: Data("\(id).\(timestamp).\(last.body)".utf8), using: key)).base64EncodedString()
            #expect(last.headers[HTTPField.Name("webhook-signature")!] == "v1,\(expected)")
            #expect(last.headers[.contentType] == "application/json")
            #expect(last.headers[HTTPField.Name("hooksync-source")!] == "shop")
            #expect(last.headers[HTTPField.Name("hooksync-event-type")!] == "invoice.paid")
            #expect(id == "shop_evt_forward_1")
            #expect(requests.map { $0.headers[HTTPField.Name("hooksync-event-id")!] } == Array(repeating: "evt_forward_1", count: 3))
            #expect(requests.map { $0.headers[HTTPField.Name("hooksync-attempt")!] } == ["1", "2", "3"])
            #expect(requests.allSatisfy { $0.headers[HTTPField.Name("hooksync-late")!] == nil }, "only a late event says so")
            #expect(last.body.contains(#""id":"evt_forward_1""#))
        }
    }

    /// A target that does not answer within the route's timeout, and one that refuses the
    /// connection, are failures like any other: retried until the target answers.
    @Test func aForwardThatTimesOutOrIsRefusedIsRetried() async throws {
        let hanging = ForwardTarget(hangFirst: 1)
        try await hanging.application().test(.live) { app in
            var route = Self.forwardRoute(app.port!)
            route.timeout = .seconds(1)
            let harness = try await ReceiverHarness(environment: Self.environment, routes: [route], now: ReceiverHarness.stripeNow)
            try await harness.application().test(.live) { client in
                #expect(try await harness.postStripe(client, id: "evt_slow_app") == .ok)
                try await eventually("delivered on the second attempt") { try await harness.storedEvents().first?.state == .done }
            }
            #expect(hanging.requests.map { $0.headers[HTTPField.Name("hooksync-attempt")!] } == ["1", "2"])
            // Timed at the target, whose first arrival may lag the agent's start of the attempt
            // (the timeout's start) by a loaded machine's scheduling delay.
            #expect(hanging.requests[1].at - hanging.requests[0].at >= .milliseconds(900), "the first attempt was given its whole timeout")
            let history = try #require(try await harness.inbox.eventDetails(id: "evt_slow_app", source: "shop").first?.deliveries.first?.history)
            #expect(history.map(\.outcome) == ["failed", "ok"])
            #expect(history.first?.error == "no answer within 1s")
        }

        // Nothing listens on the port: each refused attempt is a failure, retried, not a dead end.
        var route = Self.forwardRoute(try freeLoopbackPort(), maxAttempts: 1000)
        route.timeout = .seconds(1)
        route.backoff = RetrySchedule(base: .milliseconds(50), max: .milliseconds(200))
        let harness = try await ReceiverHarness(environment: Self.environment, routes: [route], now: ReceiverHarness.stripeNow)
        try await harness.application().test(.live) { client in
            #expect(try await harness.postStripe(client, id: "evt_app_down") == .ok)
            try await eventually("three refused attempts") {
                try await harness.inbox.eventDetails(id: "evt_app_down", source: "shop").first?.deliveries.first?.history.count ?? 0 >= 3
            }
        }
        let delivery = try #require(try await harness.inbox.eventDetails(id: "evt_app_down", source: "shop").first?.deliveries.first)
        #expect(delivery.state == .retrying || delivery.state == .pending, "\(delivery.state)")
        #expect(delivery.history.allSatisfy { $0.outcome == "failed" && ($0.error ?? "").contains("Connection refused") }, "\(delivery.history)")
    }

    @Test func aRefusingTargetDeadLettersAfterOneAttemptWithAnExcerpt() async throws {
        let target = ForwardTarget(answers: [(400, [:])])
        try await target.application().test(.live) { app in
            let harness = try await ReceiverHarness(
                environment: Self.environment,
                routes: [Self.forwardRoute(app.port!)],
                now: ReceiverHarness.stripeNow
            )
            try await harness.application().test(.live) { client in
                #expect(try await harness.postStripe(client, id: "evt_refused") == .ok)
                try await eventually("the delivery to die") { try await harness.storedEvents().first?.state == .dead }
            }
            #expect(target.requests.count == 1)
            let dead = try #require(try await harness.inbox.deadLetters(limit: 10).first)
            #expect(dead.attempts == 1)
            #expect(dead.lastError.hasPrefix("HTTP 400: answer 400 xxx"))
            #expect(dead.lastError.count < 600, "a bounded excerpt, not the whole response")
        }
    }

    @Test func aHangingForwardTargetHoldsNoConnectionOfAnotherRouteOnTheSameHost() async throws {
        // One app, two paths: /hang answers only once the test opens the gate, /hooks at once.
        // With one connection pool shared by every route (8 connections per host), the hanging
        // route took them all and the other route's deliveries queued behind it (found by the
        // reliability suite).
        let gate = Gate()
        let hangsFinished = Atomic<Int>(0)
        let fastReceived = Atomic<Int>(0)
        let router = Router()
        router.post("/hang") { _, _ in
            await gate.wait()
            hangsFinished.add(1, ordering: .relaxed)
            return HTTPResponse.Status.ok
        }
        router.post("/hooks") { _, _ in
            fastReceived.add(1, ordering: .relaxed)
            return HTTPResponse.Status.ok
        }
        let target = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await target.test(.live) { app in
            var slow = Self.forwardRoute(app.port!, name: "slow")
            slow.action = .forward(url: "http://127.0.0.1:\(app.port!)/hang", secret: .environment("FORWARD_SECRET"))
            // Held for longer than the test waits: a shared pool would never free a connection.
            slow.timeout = .seconds(60)
            let routes = [slow, Self.forwardRoute(app.port!, name: "fast")]
            // 16 slots each: twice what one shared pool would hold for the host.
            let harness = try await ReceiverHarness(
                environment: Self.environment,
                routes: routes,
                workerConcurrency: 32,
                now: ReceiverHarness.stripeNow
            )
            try await harness.application().test(.live) { client in
                for n in 0..<16 { #expect(try await harness.postStripe(client, id: "evt_pool_\(n)") == .ok) }
                do {
                    try await eventually("the fast route's deliveries while the slow ones hang", timeout: .seconds(20)) {
                        fastReceived.load(ordering: .relaxed) == 16
                    }
                } catch {
                    await gate.open()
                    throw error
                }
                #expect(hangsFinished.load(ordering: .relaxed) == 0)
                await gate.open()
                try await eventually("the slow route's deliveries once released", timeout: .seconds(20)) {
                    try await harness.storedEvents().allSatisfy { $0.state == .done }
                }
            }
        }
    }

    @Test func oneEventFansOutAndAFailingRouteHoldsNothingBack() async throws {
        let scratch = try TemporaryDirectory()
        let good = try scratch.script("good.sh", "cat > /dev/null; echo \"$HOOKSYNC_EVENT_ID\" >> \(scratch.file("good"))")
        let bad = try scratch.script(
            "bad.sh",
            "cat > /dev/null; echo \"$HOOKSYNC_EVENT_ID\" >> \(scratch.file("bad")); test -f \(scratch.file("fixed"))"
        )
        let routes = [
            RouteConfig(name: "good", action: .exec([good])),
            RouteConfig(name: "bad", action: .exec([bad]), maxAttempts: 2, backoff: RetrySchedule(base: .milliseconds(10), max: .milliseconds(20))),
        ]
        let harness = try await ReceiverHarness(routes: routes, now: ReceiverHarness.stripeNow)
        try await harness.application().test(.live) { client in
            #expect(try await harness.postStripe(client, id: "evt_fan") == .ok)
            try await eventually("bad to be dead-lettered") { try await harness.storedEvents().first?.state == .dead }
            #expect(scratch.lines("good") == ["evt_fan"])
            #expect(scratch.lines("bad") == ["evt_fan", "evt_fan"])

            _ = try scratch.write("fixed", "")
            #expect(try await harness.inbox.replay(.matching(DeadLetterFilter(route: "bad")), now: Date()) == 1)
            try await eventually("the replay to finish") { try await harness.storedEvents().first?.state == .done }
        }
        #expect(scratch.lines("good") == ["evt_fan"], "replaying one route leaves the other alone")
        #expect(scratch.lines("bad").count == 3)
        let detail = try #require(try await harness.inbox.eventDetails(id: "evt_fan", source: "shop").first)
        #expect(detail.deliveries.first { $0.route == "bad" }?.replays == 1)
    }

    /// 20 events over 3 keys, posted shuffled before delivery starts, reach the handler in
    /// occurrence order per key while the keys interleave.
    @Test func orderByDeliversEachKeyInOccurrenceOrder() async throws {
        let scratch = try TemporaryDirectory()
        let handler = try scratch.script(
            "ordered.sh",
            "cat > /dev/null; echo \"$HOOKSYNC_EVENT_ID\" >> \(scratch.file("log")); sleep 0.05; echo \"$HOOKSYNC_EVENT_ID\" >> \(scratch.file("log"))"
        )
        let route = RouteConfig(
            name: "ordered",
            action: .exec([handler]),
            orderBy: FieldRule(["/data/object/customer"])
        )
        let events = (0..<20).map { n in (id: String(format: "evt_%02d", n), key: "cus_\(n % 3)", created: Vectors.Stripe.timestamp + n) }
        var generator = SeededGenerator(seed: 11)
        let shuffled = events.shuffled(using: &generator)
        // Store first (no worker), then deliver: order is the worker's job, not arrival's.
        let harness = try await ReceiverHarness(routes: [route], now: ReceiverHarness.stripeNow)
        try await harness.receiverOnly().test(.live) { client in
            for event in shuffled {
                let customer = #","customer":""# + event.key + "\""
                let status = try await harness.postStripe(client, id: event.id, created: event.created, extra: customer)
                #expect(status == .ok)
            }
        }
        try await harness.application().test(.live) { _ in
            try await eventually("all 20 delivered", timeout: .seconds(20)) {
                try await harness.storedEvents().allSatisfy { $0.state == .done }
            }
        }
        let log = scratch.lines("log")
        #expect(log.count == 40)
        for key in 0..<3 {
            let ids = events.filter { $0.key == "cus_\(key)" }.map(\.id)
            let seen = log.filter { ids.contains($0) }
            // Each handler run writes its id twice: runs of one key never overlap.
            #expect(seen == ids.flatMap { [$0, $0] }, "key cus_\(key): \(seen)")
        }
        // Different keys run side by side: some run starts while another is still running.
        var running: Set<String> = []
        var mostAtOnce = 0
        for id in log {
            if running.remove(id) == nil { running.insert(id) }
            mostAtOnce = max(mostAtOnce, running.count)
        }
        #expect(mostAtOnce >= 2, "runs never overlapped: \(log.prefix(8))")
    }

    /// A later event of a key waits while an earlier one retries, and runs once it succeeded;
    /// an event of another key is not held back by those retries.
    @Test func aLaterEventOfAKeyWaitsWhileAnEarlierOneRetries() async throws {
        let scratch = try TemporaryDirectory()
        let handler = try scratch.script(
            "flaky.sh",
            """
            cat > /dev/null
            echo "$HOOKSYNC_EVENT_ID $HOOKSYNC_ATTEMPT" >> \(scratch.file("log"))
            [ "$HOOKSYNC_EVENT_ID" != evt_first ] || [ "$HOOKSYNC_ATTEMPT" -ge 3 ]
            """
        )
        let route = RouteConfig(
            name: "ordered",
            action: .exec([handler]),
            backoff: RetrySchedule(base: .milliseconds(500), max: .seconds(2)),
            orderBy: FieldRule(["/data/object/customer"])
        )
        let harness = try await ReceiverHarness(routes: [route], now: ReceiverHarness.stripeNow)
        try await harness.receiverOnly().test(.live) { client in
            for (offset, (id, key)) in [("evt_first", "cus_a"), ("evt_later", "cus_a"), ("evt_other", "cus_b")].enumerated() {
                let customer = #","customer":""# + key + "\""
                let status = try await harness.postStripe(client, id: id, created: Vectors.Stripe.timestamp + offset, extra: customer)
                #expect(status == .ok)
            }
        }
        try await harness.application().test(.live) { _ in
            try await eventually("all 3 delivered", timeout: .seconds(20)) {
                try await harness.storedEvents().allSatisfy { $0.state == .done }
            }
        }
        let log = scratch.lines("log")
        #expect(log.filter { !$0.hasPrefix("evt_other") } == ["evt_first 1", "evt_first 2", "evt_first 3", "evt_later 1"], "\(log)")
        let other = try #require(log.firstIndex(of: "evt_other 1"), "\(log)")
        #expect(other < log.firstIndex(of: "evt_first 3") ?? 0, "another key waited for the retries: \(log)")
    }

    /// A command past its timeout dies with everything it started.
    @Test func anExecRoutePastItsTimeoutIsKilledWithItsChildren() async throws {
        let scratch = try TemporaryDirectory()
        let script = try scratch.script(
            "hang.sh",
            "cat > /dev/null; sleep 300 & echo $! > \(scratch.file("child")); echo \"about to hang\" >&2; sleep 300"
        )
        let route = RouteConfig(name: "hang", action: .exec([script]), timeout: .seconds(1), maxAttempts: 1)
        let harness = try await ReceiverHarness(routes: [route], now: ReceiverHarness.stripeNow)
        try await harness.application().test(.live) { client in
            #expect(try await harness.postStripe(client, id: "evt_hang") == .ok)
            try await eventually("the delivery to time out", timeout: .seconds(15)) { try await harness.storedEvents().first?.state == .dead }
        }
        let child = try #require(scratch.lines("child").first.flatMap { Int32($0) })
        try await eventually("the background child to be gone") { !Self.isAlive(child) }
        let dead = try #require(try await harness.inbox.deadLetters(limit: 1).first)
        #expect(dead.lastError == "timed out: about to hang")
    }

    /// Running, or at least not a zombie waiting for a parent that is gone.
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        let state = stat.split(separator: ")").last?.split(separator: " ").first
        return state != "Z"
    }

    /// An event that arrives after a later one of its key was delivered is marked late.
    @Test func anEventOvertakenByALaterOneOfItsKeyIsDeliveredMarkedLate() async throws {
        let scratch = try TemporaryDirectory()
        let handler = try scratch.script("late.sh", "cat > /dev/null; echo \"$HOOKSYNC_EVENT_ID late=${HOOKSYNC_LATE:-0}\" >> \(scratch.file("log"))")
        let route = RouteConfig(name: "ordered", action: .exec([handler]), orderBy: FieldRule(["/data/object/customer"]))
        // A forward route ordered the same way says it with a header.
        let target = ForwardTarget()
        try await target.application().test(.live) { app in
            var forward = Self.forwardRoute(app.port!, name: "forwarded")
            forward.orderBy = FieldRule(["/data/object/customer"])
            let harness = try await ReceiverHarness(environment: Self.environment, routes: [route, forward], now: ReceiverHarness.stripeNow)
            try await harness.application().test(.live) { client in
                let customer = #","customer":"cus_1""#
                #expect(try await harness.postStripe(client, id: "evt_second", created: Vectors.Stripe.timestamp + 60, extra: customer) == .ok)
                try await eventually("the later event delivered") { scratch.lines("log").count == 1 && target.requests.count == 1 }
                #expect(try await harness.postStripe(client, id: "evt_first", created: Vectors.Stripe.timestamp, extra: customer) == .ok)
                try await eventually("the earlier event delivered") { scratch.lines("log").count == 2 && target.requests.count == 2 }
            }
        }
        #expect(scratch.lines("log") == ["evt_second late=0", "evt_first late=1"])
        let late = HTTPField.Name("hooksync-late")!
        #expect(target.requests.map { $0.headers[HTTPField.Name("hooksync-event-id")!] } == ["evt_second", "evt_first"])
        #expect(target.requests.map { $0.headers[late] } == [nil, "1"])
    }

    /// Pruning deletes only old events whose deliveries are all done, in small batches, while
    /// the receiver keeps storing and answering.
    @Test func pruningRemovesOnlyWhatItShouldWhileTheReceiverAnswers() async throws {
        let route = RouteConfig(name: "r", action: .exec(["/bin/true"]))
        let harness = try await ReceiverHarness(routes: [route], now: ReceiverHarness.stripeNow)
        let old = Date().addingTimeInterval(-40 * 86400)
        func event(_ id: String, at date: Date) -> IncomingEvent {
            IncomingEvent(
                source: "shop",
                eventID: id,
                type: "invoice.paid",
                occurredAt: nil,
                receivedAt: date,
                origin: .webhook,
                headers: [:],
                body: Array("{}".utf8),
                routes: ["r"]
            )
        }
        for n in 0..<1500 { _ = try await harness.inbox.store(event("old_done_\(n)", at: old)) }
        _ = try await harness.inbox.store(event("old_pending", at: old))
        _ = try await harness.inbox.store(event("old_dead", at: old))
        _ = try await harness.inbox.store(event("new_done", at: Date()))
        // Finish every delivery except old_pending's; old_dead dies.
        let claimed = try await harness.inbox.claimDueDeliveries(routes: ["r"], limit: 2000, now: Date(), lease: .seconds(60), owner: "t")
        for delivery in claimed where delivery.eventID != "old_pending" {
            try await harness.inbox.recordAttempt(
                AttemptRecord(
                    deliveryID: delivery.deliveryID,
                    leaseOwner: "t",
                    startedAt: Date(),
                    finishedAt: Date(),
                    error: delivery.eventID == "old_dead" ? "boom" : nil,
                    decision: delivery.eventID == "old_dead" ? .dead : .done
                )
            )
        }
        let pruner = InboxPruner(inbox: harness.inbox, retain: .seconds(30 * 86400), batch: 100, clock: ContinuousClock(), logger: .init(label: "t"))
        let trail = PruneTrail()
        try await harness.receiverOnly().test(.live) { client in
            // Between two batches a webhook is answered, stored beside the old events still left.
            let pruned = try await pruner.pruneOnce { batch in
                let id = "evt_live_\(await trail.count)"
                let status = try await harness.postStripe(client, id: id)
                let stored = try await harness.inbox.contains(source: "shop", dedupKey: id)
                let left = try await harness.inbox.events(EventQuery(limit: 5000)).filter { $0.id.hasPrefix("old_done_") }.count
                await trail.add(batch: batch, answered: status == .ok && stored, oldLeft: left)
            }
            #expect(pruned == 1500)
        }
        let batches = await trail.entries
        #expect(batches.count == 15, "1500 events in batches of 100")
        #expect(batches.allSatisfy { $0.batch == 100 && $0.answered })
        #expect(batches.map(\.oldLeft) == Array(stride(from: 1400, through: 0, by: -100)), "each batch its own commit")
        let left = Set(try await harness.inbox.events(EventQuery(limit: 5000)).map(\.id))
        #expect(left.count == 18)
        #expect(left.isSuperset(of: ["old_pending", "old_dead", "new_done"]))
        #expect(left.filter { $0.hasPrefix("evt_live_") }.count == 15)
        #expect(try await harness.inbox.deadLetters(limit: 10).map(\.id) == ["old_dead"], "dead letters are kept")
    }

    /// What each pruning batch left, and whether the webhook posted after it was answered.
    actor PruneTrail {
        var entries: [(batch: Int, answered: Bool, oldLeft: Int)] = []
        var count: Int { entries.count }
        func add(batch: Int, answered: Bool, oldLeft: Int) { entries.append((batch, answered, oldLeft)) }
    }

    @Test func pruningRunsEveryTenthOfRetainBetweenASecondAndFiveMinutes() {
        #expect(InboxPruner<ContinuousClock>.interval(for: .seconds(2)) == .seconds(1))
        #expect(InboxPruner<ContinuousClock>.interval(for: .seconds(600)) == .seconds(60))
        #expect(InboxPruner<ContinuousClock>.interval(for: .seconds(30 * 86400)) == .seconds(300))
    }

    /// A route whose target hangs holds at most its share of the worker: the others go on.
    @Test func aHangingRouteCannotStallTheOthersAndConcurrencyBoundsARoute() async throws {
        let scratch = try TemporaryDirectory()
        let slow = try scratch.script(
            "slow.sh",
            "cat > /dev/null; echo start >> \(scratch.file("slow")); while [ ! -e \(scratch.file("open")) ]; do sleep 0.05; done"
        )
        let fast = try scratch.script("fast.sh", "cat > /dev/null; echo \"$HOOKSYNC_EVENT_ID\" >> \(scratch.file("fast"))")
        let single = try scratch.script(
            "single.sh",
            "cat > /dev/null; echo in >> \(scratch.file("single")); sleep 0.1; echo out >> \(scratch.file("single"))"
        )
        let routes = [
            RouteConfig(name: "slow", action: .exec([slow]), timeout: .seconds(60)),
            RouteConfig(name: "fast", action: .exec([fast])),
            RouteConfig(name: "single", action: .exec([single]), concurrency: 1),
        ]
        let harness = try await ReceiverHarness(routes: routes, now: ReceiverHarness.stripeNow)
        try await harness.application().test(.live) { client in
            for n in 0..<8 { #expect(try await harness.postStripe(client, id: "evt_\(n)") == .ok) }
            try await eventually("every fast delivery done while slow ones hang") { scratch.lines("fast").count == 8 }
            #expect(scratch.lines("slow").count <= 2, "slow holds at most half of the worker's 4 slots")
            _ = try scratch.write("open", "")
            try await eventually("everything delivered", timeout: .seconds(20)) {
                try await harness.storedEvents().allSatisfy { $0.state == .done }
            }
        }
        #expect(scratch.lines("single") == Array(repeating: ["in", "out"], count: 8).flatMap { $0 }, "concurrency = 1: one run at a time")
    }
}
