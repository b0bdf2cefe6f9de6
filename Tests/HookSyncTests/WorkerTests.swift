import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import HookSync
@testable import HookSyncCore

@Suite struct WorkerTests {
    let directory: TemporaryDirectory
    let inbox: any Inbox

    init() async throws {
        directory = try TemporaryDirectory()
        inbox = try await InboxFactory.open(.sqlite(path: directory.file("inbox.sqlite")), access: .create)
    }

    func store(_ id: String, routes: [String]) async throws {
        let event = IncomingEvent(
            source: "shop",
            eventID: id,
            type: "invoice.paid",
            occurredAt: nil,
            receivedAt: Date(),
            origin: .poll,
            headers: [:],
            body: Array("{\"id\":\"\(id)\"}".utf8),
            routes: routes
        )
        #expect(try await inbox.store(event) == .stored)
    }

    func state(_ id: String) async throws -> EventSummary? {
        try await inbox.eventDetails(id: id, source: "shop").first?.summary
    }

    /// Runs a real worker as a service for the duration of `body`, then shuts it down gracefully.
    func withWorker(
        routes: [RouteConfig],
        concurrency: Int = 4,
        signal: WorkSignal = WorkSignal(),
        _ body: (WorkSignal) async throws -> Void
    ) async throws {
        var logger = Logger(label: "worker-test")
        logger.logLevel = .critical
        let worker = DeliveryWorker(
            inbox: inbox,
            routes: routes,
            settings: WorkerSettings(concurrency: concurrency, idlePoll: .milliseconds(100)),
            signal: signal,
            logger: logger,
            clock: ContinuousClock()
        )
        let group = ServiceGroup(configuration: .init(services: [worker], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await body(signal)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    static let fastBackoff = RetrySchedule(base: .milliseconds(10), max: .milliseconds(50))

    @Test func routeThatFailsTwiceThenSucceedsEndsDoneWithThreeAttempts() async throws {
        let script = try directory.script(
            "flaky.sh",
            """
            body=$(cat)
            echo "$HOOKSYNC_EVENT_ID $HOOKSYNC_EVENT_TYPE $HOOKSYNC_SOURCE $HOOKSYNC_ROUTE $HOOKSYNC_ATTEMPT $HOOKSYNC_ORIGIN $body" >> \(directory.file("runs"))
            [ "$HOOKSYNC_ATTEMPT" -ge 3 ] || { echo "not yet (attempt $HOOKSYNC_ATTEMPT)" >&2; exit 1; }
            """
        )
        try await store("evt_flaky", routes: ["flaky"])
        try await withWorker(routes: [RouteConfig(name: "flaky", action: .exec([script]), maxAttempts: 5, backoff: Self.fastBackoff)]) { _ in
            try await eventually("evt_flaky to be done") { try await state("evt_flaky")?.state == .done }
        }
        #expect(try await state("evt_flaky")?.attempts == 3)
        #expect(
            directory.lines("runs") == (1...3).map { "evt_flaky invoice.paid shop flaky \($0) poll {\"id\":\"evt_flaky\"}" }
        )
        let delivery = try #require(try await inbox.eventDetails(id: "evt_flaky", source: nil).first?.deliveries.first)
        #expect(delivery.history.map(\.outcome) == ["failed", "failed", "ok"])
        #expect(delivery.history[0].error == "exit status 1: not yet (attempt 1)")
        #expect(delivery.lastError == nil)
    }

    @Test func routeThatAlwaysFailsIsDeadLetteredAndReplayBringsItBack() async throws {
        let marker = directory.file("fixed")
        let script = try directory.script(
            "broken.sh",
            "cat > /dev/null\n[ -e \(marker) ] || { echo 'downstream unavailable' >&2; exit 3; }"
        )
        try await store("evt_dead", routes: ["broken"])
        try await withWorker(routes: [RouteConfig(name: "broken", action: .exec([script]), maxAttempts: 3, backoff: Self.fastBackoff)]) {
            signal in
            try await eventually("evt_dead to be dead-lettered") { try await state("evt_dead")?.state == .dead }
            let letters = try await inbox.deadLetters(limit: 10)
            #expect(letters.map(\.id) == ["evt_dead"])
            #expect(letters.first?.attempts == 3)
            #expect(letters.first?.lastError == "exit status 3: downstream unavailable")

            #expect(FileManager.default.createFile(atPath: marker, contents: nil))
            #expect(try await inbox.replay(.events(["evt_dead"], source: nil), now: Date()) == 1)
            await signal.wake()
            try await eventually("the replayed delivery to succeed") { try await state("evt_dead")?.state == .done }
        }
        #expect(try await inbox.deadLetters(limit: 10).isEmpty)
        #expect(try await state("evt_dead")?.attempts == 1)
    }

    @Test func commandPastItsTimeoutIsKilledAndCountsAsAFailure() async throws {
        let script = try directory.script("slow.sh", "cat > /dev/null\necho $$ > \(directory.file("pid"))\nexec sleep 30")
        try await store("evt_slow", routes: ["slow"])
        let started = ContinuousClock.now
        try await withWorker(routes: [RouteConfig(name: "slow", action: .exec([script]), timeout: .milliseconds(300), maxAttempts: 1)]) { _ in
            try await eventually("evt_slow to be dead") { try await state("evt_slow")?.state == .dead }
        }
        #expect(ContinuousClock.now - started < .seconds(25), "killed at its timeout, not left to sleep its 30 s")
        #expect(try await inbox.deadLetters(limit: 1).first?.lastError == "timed out")
        let pid = try #require(directory.lines("pid").first.flatMap { Int32($0) })
        #expect(kill(pid, 0) != 0, "the timed-out command must not survive")
    }

    /// The last 4 KiB of a failed command's stderr become the delivery's error, and the command
    /// sees none of the agent's descriptors: not its database, sockets or event loops.
    @Test func aFailedCommandLeavesItsLastStderrAndInheritsNoDescriptor() async throws {
        let script = try directory.script(
            "noisy.sh",
            """
            cat > /dev/null
            ls -l /proc/$$/fd > \(directory.file("fds"))
            head -c 6000 /dev/zero | tr '\\0' 'a' >&2
            printf 'END-OF-STDERR' >&2
            exit 2
            """
        )
        try await store("evt_noisy", routes: ["noisy"])
        // Open the inbox for reading and writing first, so its files are among the worker's descriptors.
        _ = try await inbox.status()
        try await withWorker(routes: [RouteConfig(name: "noisy", action: .exec([script]), maxAttempts: 1)]) { _ in
            try await eventually("evt_noisy to be dead") { try await state("evt_noisy")?.state == .dead }
        }
        let error = try #require(try await inbox.deadLetters(limit: 1).first?.lastError)
        // Exactly the last 4 KiB of the 6,013 bytes written.
        #expect(error == "exit status 2: " + String(repeating: "a", count: 4096 - 13) + "END-OF-STDERR", "\(error.prefix(40))…\(error.suffix(20))")
        let targets = directory.lines("fds").compactMap { line in line.range(of: " -> ").map { String(line[$0.upperBound...]) } }
        #expect(!targets.isEmpty)
        for forbidden in ["inbox.sqlite", "socket:", "anon_inode:", "pipe:"] {
            #expect(!targets.contains { $0.contains(forbidden) }, "\(forbidden) inherited: \(targets)")
        }
    }

    @Test func missingCommandFailsWithAClearError() async throws {
        try await store("evt_missing", routes: ["missing"])
        try await withWorker(routes: [RouteConfig(name: "missing", action: .exec(["/nonexistent/handler"]), maxAttempts: 1)]) { _ in
            try await eventually("evt_missing to be dead") { try await state("evt_missing")?.state == .dead }
        }
        #expect(try await inbox.deadLetters(limit: 1).first?.lastError == "could not start: /nonexistent/handler: not found or not executable")
    }

    /// A command that records how many of its kind run at once (`observed()`), then sleeps.
    func concurrencyProbe(sleep seconds: Double) throws -> String {
        let running = directory.file("running")
        try FileManager.default.createDirectory(atPath: running, withIntermediateDirectories: true)
        return try directory.script(
            "busy.sh",
            """
            cat > /dev/null
            touch \(running)/$HOOKSYNC_EVENT_ID
            ls \(running) | wc -l >> \(directory.file("observed"))
            sleep \(seconds)
            rm \(running)/$HOOKSYNC_EVENT_ID
            """
        )
    }

    /// What each run of the concurrency probe saw running, itself included.
    func observed() -> [Int] {
        directory.lines("observed").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    @Test func deliveriesRunConcurrentlyUpToTheLimit() async throws {
        let script = try concurrencyProbe(sleep: 0.3)
        for index in 0..<6 { try await store("evt_\(index)", routes: ["busy"]) }
        try await withWorker(routes: [RouteConfig(name: "busy", action: .exec([script]))], concurrency: 2) { _ in
            try await eventually("all six to be done") {
                try await inbox.events(EventQuery(state: .done)).count == 6
            }
        }
        let counts = observed()
        #expect(counts.count == 6)
        #expect(counts.max() == 2, "two at a time, never more: \(counts)")
    }

    /// While a webhook is being received the drain keeps one slot of eight (DrainBudget), and
    /// takes all eight again once the receiver has been calm for a while.
    @Test func theDrainYieldsToTheReceiverAndCatchesUpAfter() async throws {
        let script = try concurrencyProbe(sleep: 0.2)
        for index in 0..<12 { try await store("evt_\(index)", routes: ["busy"]) }
        let signal = WorkSignal()
        signal.receiver.began()
        try await withWorker(routes: [RouteConfig(name: "busy", action: .exec([script]))], concurrency: 8, signal: signal) { _ in
            try await eventually("three done while a webhook is in flight") {
                try await inbox.events(EventQuery(state: .done)).count >= 3
            }
            let whileBusy = observed()
            #expect(whileBusy.count >= 3 && whileBusy.allSatisfy { $0 == 1 }, "one at a time while the receiver works: \(whileBusy)")
            signal.receiver.finished()
            try await eventually("all twelve to be done") {
                try await inbox.events(EventQuery(state: .done)).count == 12
            }
        }
        let counts = observed()
        #expect(counts.count == 12)
        #expect(counts.max() ?? 0 > 1, "the drain took its slots back once the receiver was calm: \(counts)")
    }

    /// The share is each route's own: a route whose command hangs, claimed first, holds its one
    /// slot while webhooks arrive, and another route's backlog still drains beside it.
    @Test func whileTheReceiverIsBusyAHangingRouteHoldsBackNoOtherRoute() async throws {
        let released = directory.file("released")
        let hang = try directory.script("hang.sh", "cat > /dev/null\nwhile [ ! -e \(released) ]; do sleep 0.05; done")
        try await store("evt_hang", routes: ["a-hang"])
        for index in 0..<3 { try await store("evt_quick_\(index)", routes: ["b-quick"]) }
        let signal = WorkSignal()
        signal.receiver.began()
        try await withWorker(
            routes: [RouteConfig(name: "a-hang", action: .exec([hang])), RouteConfig(name: "b-quick", action: .exec(["/bin/true"]))],
            concurrency: 4,
            signal: signal
        ) { _ in
            try await eventually("b-quick's three done while a-hang still runs") {
                try await inbox.events(EventQuery(state: .done)).count == 3
            }
            #expect(try await state("evt_hang")?.state != .done)
            FileManager.default.createFile(atPath: released, contents: nil)
            signal.receiver.finished()
            try await eventually("a-hang done once released") { try await state("evt_hang")?.state == .done }
        }
    }

    @Test func gracefulShutdownLetsInFlightDeliveriesFinish() async throws {
        let started = directory.file("started")
        let script = try directory.script("long.sh", "cat > /dev/null\ntouch \(started)\nsleep 0.5\necho done >> \(directory.file("finished"))")
        try await store("evt_inflight", routes: ["long"])
        try await withWorker(routes: [RouteConfig(name: "long", action: .exec([script]))]) { _ in
            try await eventually("the delivery to start") { FileManager.default.fileExists(atPath: started) }
        }
        // withWorker returned only after the graceful shutdown completed.
        #expect(directory.lines("finished") == ["done"])
        #expect(try await state("evt_inflight")?.state == .done)
    }

    /// A worker cancelled without a graceful shutdown (its service group torn down) stops
    /// claiming: it once spun on the inbox's CancellationError, thousands of log lines a second,
    /// for as long as its deliveries took to end.
    @Test func aCancelledWorkerStopsClaimingInsteadOfSpinning() async throws {
        let started = directory.file("started")
        let script = try directory.script("slow.sh", "cat > /dev/null\ntouch \(started)\nsleep 1")
        try await store("evt_cancelled", routes: ["slow"])
        let lines = LogHandlerTests.Lines()
        let logger = Logger(label: "worker-test") { LineLogHandler(label: $0, level: .info, write: lines.append) }
        let signal = WorkSignal()
        let worker = DeliveryWorker(
            inbox: inbox,
            routes: [RouteConfig(name: "slow", action: .exec([script]))],
            settings: WorkerSettings(concurrency: 4, idlePoll: .milliseconds(100)),
            signal: signal,
            logger: logger,
            clock: ContinuousClock()
        )
        let stopped = Atomic<Bool>(false)
        let task = Task {
            try await worker.run()
            stopped.store(true, ordering: .relaxed)
        }
        try await eventually("the delivery to start") { FileManager.default.fileExists(atPath: started) }
        task.cancel()
        do {
            try await eventually("the cancelled worker to stop", timeout: .seconds(15)) { stopped.load(ordering: .relaxed) }
        } catch {
            await signal.stop()
            try? await task.value
            throw error
        }
        let claimErrors = lines.all.filter { $0.contains("cannot claim") }
        #expect(claimErrors.count <= 1, "\(claimErrors.count) claim errors after the cancellation")
    }
}
