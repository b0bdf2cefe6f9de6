import Foundation
import GRDB
import HookSync
import HookSyncCore
import HookSyncTesting

/// How long and how big each scenario runs; `--quick` shrinks everything for a smoke run.
struct Sizes: Sendable {
    var loadSeconds = 10.0
    var connections = 64
    /// Requests per second of the ingest loads; nil for as fast as answers come.
    var rate: Int?
    var backfillEvents = 100_000
    var drainEvents = 50_000
    var execDrainEvents = 50_000
    var idleSeconds = 60.0
    var scale = [10_000, 100_000, 1_000_000]
    var scaleSeconds = 5.0

    static let quick = Sizes(
        loadSeconds: 2,
        backfillEvents: 5_000,
        drainEvents: 2_000,
        execDrainEvents: 500,
        idleSeconds: 3,
        scale: [1_000, 10_000],
        scaleSeconds: 1
    )
}

/// The scenarios of `make bench`, each against fresh processes and a fresh inbox.
extension Workbench {
    static let webhookSource = """
        [[sources]]
        name = "shop"
        provider = "stripe"
        mode = "webhook"
        webhook_secret = "file:./webhook-secret"
        """

    /// A route that wants none of the load's events: stored, nothing to deliver.
    static let idleRoute = """
        [[routes]]
        name = "payouts"
        source = "shop"
        events = ["payout.*"]
        exec = ["/bin/true"]
        """

    /// The webhook source and a forward route re-signing `invoice.*` to the sink, 64 slots.
    static func forwardConfig(sinkPort: Int) -> String {
        webhookSource + """

            [[routes]]
            name = "app"
            source = "shop"
            events = ["invoice.*"]
            forward = "http://127.0.0.1:\(sinkPort)/sink"
            forward_secret = "file:./forward-secret"

            [worker]
            concurrency = 64
            """
    }

    static func run() -> String { String(UInt32.random(in: 0...UInt32.max), radix: 36) }

    // MARK: Ingest

    func bare(_ sizes: Sizes) async throws -> Measurement {
        let (server, port) = try await startServer("bare", ready: "/")
        let before = try server.sample()
        let run = try await drive(
            port: port,
            connections: sizes.connections,
            seconds: sizes.loadSeconds,
            rate: sizes.rate,
            requests: stripeEvents(port: port, run: Self.run()),
            signing: nil
        )
        var measurement = Measurement("Bare Hummingbird route (baseline)", run: run, unit: "req/s", note: "no work, answers 200")
        measurement.isAgent = false
        measurement.account(before, try server.sample(), events: run.load.acknowledged)
        await server.stop()
        return measurement
    }

    /// Unique events at full speed; afterwards every acknowledged id must be stored exactly once.
    /// `ceiling`: the bare route's rate in this run, which sizes the requests signed for wrk.
    func ingest(
        _ sizes: Sizes,
        name: String = "ingest",
        title: String = "Ingest, unique events",
        populate: Int = 0,
        ceiling: Double? = nil,
        wrk: Bool = true,
        config: String = webhookSource + "\n" + idleRoute
    )
        async throws -> (Measurement, IngestCheck)
    {
        if populate > 0 { try await self.populate(name, count: populate, routes: []) }
        let agent = try await startAgent(name, config: config)
        let requests = stripeEvents(port: agent.port, run: Self.run())
        let seconds = populate > 0 ? sizes.scaleSeconds : sizes.loadSeconds
        // A freshly started agent's first second (threads spun up, caches cold) is not its
        // steady state: warmed up with events of another run, which the check below ignores.
        let warmUp = min(2, seconds / 5)
        _ = try await drive(
            port: agent.port,
            connections: sizes.connections,
            seconds: warmUp,
            rate: sizes.rate,
            requests: stripeEvents(port: agent.port, run: Self.run()),
            signing: Self.signing(seconds: warmUp, ceiling: ceiling),
            wrk: wrk
        )
        let before = try agent.process.sample()
        let run = try await drive(
            port: agent.port,
            connections: sizes.connections,
            seconds: seconds,
            rate: sizes.rate,
            requests: requests,
            signing: Self.signing(seconds: seconds, ceiling: ceiling),
            wrk: wrk
        )
        var measurement = Measurement(title, run: run)
        measurement.account(before, try agent.process.sample(), events: run.load.acknowledged)
        await agent.process.stop()
        let check = try IngestCheck(agent: agent, requests: requests, run: run)
        measurement.note = check.summary + (run.load.failed > 0 ? "; \(run.load.failed) not acknowledged" : "") + "; " + run.note
        return (measurement, check)
    }

    /// The ingest load with a route taking every event: the worker drains what arrives while
    /// it arrives, yielding to the receiver. `forward`: to the local app; else exec `/bin/true`.
    func ingestWithRoute(_ sizes: Sizes, forward: Bool, ceiling: Double?) async throws -> (Measurement, IngestCheck) {
        if forward {
            let (sink, sinkPort) = try await startServer("sink", ready: "/count")
            let result = try await ingest(
                sizes,
                name: "ingest-forward",
                title: "Ingest, unique events, forward route",
                ceiling: ceiling,
                config: Self.forwardConfig(sinkPort: sinkPort)
            )
            await sink.stop()
            return result
        }
        return try await ingest(sizes, name: "ingest-exec", title: "Ingest, unique events, exec route", ceiling: ceiling, config: Self.execConfig)
    }

    /// Half the requests repeat earlier events; then a phase of repeats only, which must commit nothing.
    func duplicates(_ sizes: Sizes, ceiling: Double? = nil) async throws -> (Measurement, Measurement, repeatsCommitted: Bool) {
        let agent = try await startAgent("duplicates", config: Self.webhookSource + "\n" + Self.idleRoute)
        let run = Self.run()
        let requests = stripeEvents(port: agent.port, run: run, repeats: true)
        var before = try agent.process.sample()
        let mixedRun = try await drive(
            port: agent.port,
            connections: sizes.connections,
            seconds: sizes.loadSeconds,
            rate: sizes.rate,
            requests: requests,
            signing: Self.signing(seconds: sizes.loadSeconds, ceiling: ceiling)
        )
        let mixed = mixedRun.load
        var half = Measurement("Ingest, half repeats", run: mixedRun)
        half.account(before, try agent.process.sample(), events: mixed.acknowledged)

        // Only events already stored: the inbox file and its WAL must not change.
        let stored = Array(Set(mixed.log.acknowledged))
        var replays = stripeEvents(port: agent.port, run: run)
        replays.replayKeys = stored
        let watcher = try agent.inbox()
        let versionBefore = try await watcher.read { db in try Int.fetchOne(db, sql: "PRAGMA data_version") }
        let walBefore = Self.fileSize(agent.database + "-wal")
        before = try agent.process.sample()
        let repeatsRun = try await drive(
            port: agent.port,
            connections: sizes.connections,
            seconds: sizes.loadSeconds / 2,
            rate: sizes.rate,
            requests: replays,
            signing: Self.signing(seconds: sizes.loadSeconds / 2, ceiling: ceiling)
        )
        let repeatsOnly = repeatsRun.load
        var repeats = Measurement("Ingest, repeats only", run: repeatsRun)
        repeats.account(before, try agent.process.sample(), events: repeatsOnly.acknowledged)
        let versionAfter = try await watcher.read { db in try Int.fetchOne(db, sql: "PRAGMA data_version") }
        let walAfter = Self.fileSize(agent.database + "-wal")
        let committed = versionBefore != versionAfter || walBefore != walAfter
        repeats.note =
            (committed
                ? "the inbox changed during repeats (WAL \(walBefore) → \(walAfter) bytes)"
                : "no commit: data_version and WAL (\(walAfter) bytes) unchanged") + "; " + repeatsRun.note
        await agent.process.stop()
        let check = try IngestCheck(agent: agent, requests: requests, run: mixedRun)
        half.note = check.summary + "; " + mixedRun.note
        return (half, repeats, committed)
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    // MARK: Backfill

    /// A poll-only source catching up on the mock Stripe API's whole history.
    func backfill(_ sizes: Sizes) async throws -> Measurement {
        let (api, apiPort) = try await startServer(
            "stripe-api",
            ["--events", String(sizes.backfillEvents), "--api-key", apiKey],
            ready: "/pages"
        )
        let launched = ContinuousClock.now
        let agent = try await startAgent(
            "backfill",
            config: """
                [[sources]]
                name = "shop"
                provider = "stripe"
                mode = "poll"
                api_key = "file:./api-key"
                api_base = "http://127.0.0.1:\(apiPort)"
                poll = "every 1h"
                backfill = "2h"
                """ + "\n" + Self.idleRoute,
            waitReady: false
        )
        let before = try agent.process.sample()
        let expected = sizes.backfillEvents
        let done = try await waitUntil("the backfill") {
            try agent.count("SELECT COUNT(*) FROM event") >= expected
                && agent.count("SELECT COUNT(*) FROM poll_state WHERE source = 'shop' AND cursor IS NOT NULL") == 1
        }
        let seconds = (done - launched).seconds
        var measurement = Measurement("Backfill, poll-only source")
        measurement.rate = Double(expected) / seconds
        measurement.account(before, try agent.process.sample(), events: expected)
        let pages = try await get("http://127.0.0.1:\(apiPort)/pages")
        measurement.note = "\(expected) events in \(Report.format(seconds, digits: 2)) s from launch, \(pages) pages of 100"
        await agent.process.stop()
        await api.stop()
        return measurement
    }

    // MARK: Drain

    /// Stored events through a forward route to a local app with nothing arriving, timed from
    /// launch to the app's last delivery; then the receiver's latency at a steady 200 requests/s
    /// on an idle agent and during a drain of the same backlog.
    func forwardDrain(_ sizes: Sizes) async throws -> (drain: Measurement, probe: DrainProbe, receivedOnce: Bool) {
        let (sink, sinkPort) = try await startServer("sink", ready: "/count")
        let config = Self.forwardConfig(sinkPort: sinkPort)
        try await populate("drain-forward", count: sizes.drainEvents, routes: ["app"])
        let launched = ContinuousClock.now
        let agent = try await startAgent("drain-forward", config: config)
        let expected = sizes.drainEvents
        let before = try agent.process.sample()
        let done = try await waitForSink(port: sinkPort, expected: expected)
        let after = try agent.process.sample()
        await agent.process.stop()
        let received = try await sinkCounts(port: sinkPort)
        let finished = try agent.count("SELECT COUNT(*) FROM delivery WHERE state = 'done'")
        let (drain, receivedOnce) = Self.sinkDrain(
            "Drain, forward to a local app",
            expected: expected,
            seconds: (done - launched).seconds,
            cpu: (before, after),
            received: received,
            finished: finished
        )
        let probe = try await probeDuringDrain(
            "drain-forward-probe",
            config: config,
            route: "app",
            what: "forward",
            sizes: sizes,
            backlog: sizes.drainEvents
        )
        await sink.stop()
        return (drain, probe, receivedOnce)
    }

    /// The receiver's latency at 200 requests/s, on an idle agent and while a backlog drains.
    struct DrainProbe {
        var idle: Measurement
        var during: Measurement

        var ratio: Double { (during.p99 ?? .infinity) / max(0.001, idle.p99 ?? 0) }
    }

    /// 200 signed webhooks/s for half a load's time to an agent with nothing to deliver, then
    /// to one started on `backlog` stored events for `route`, timed from when each was due; the
    /// drain's own progress meanwhile is in the row's notes.
    func probeDuringDrain(
        _ name: String,
        config: String,
        route: String,
        what: String,
        sizes: Sizes,
        backlog: Int
    ) async throws -> DrainProbe {
        let light = { (port: Int) in self.stripeEvents(port: port, run: Self.run(), type: "customer.created") }
        var agent = try await startAgent(name, config: config)
        let quiet = try await load(port: agent.port, connections: 4, seconds: sizes.loadSeconds / 2, rate: 200, requests: light(agent.port))
        await agent.process.stop()
        try await populate(name, count: backlog, routes: [route])
        agent = try await startAgent(name, config: config)
        let busy = try await load(port: agent.port, connections: 4, seconds: sizes.loadSeconds / 2, rate: 200, requests: light(agent.port))
        let delivered = try agent.count("SELECT COUNT(*) FROM delivery WHERE state = 'done' AND route = '\(route)'")
        await agent.process.stop()
        var during = Measurement("Receiver at 200 req/s, during the \(what) drain", load: busy, unit: "req/s")
        during.note = "the drain delivered \(delivered) meanwhile (\(Report.format(Double(delivered) / busy.seconds, digits: 0))/s)"
        var idle = Measurement("Receiver at 200 req/s, idle worker (\(what) route)", load: quiet, unit: "req/s")
        idle.note = "the reference for the row below"
        return DrainProbe(idle: idle, during: during)
    }

    /// A forward drain's row, timed from launch to the app's last delivery, and whether the
    /// app received each of `expected` events once with as many deliveries done in the inbox.
    static func sinkDrain(
        _ title: String,
        expected: Int,
        seconds: Double,
        cpu: (before: ProcessSample, after: ProcessSample),
        received: (requests: Int, events: Int),
        finished: Int
    ) -> (Measurement, receivedOnce: Bool) {
        var drain = Measurement(title, unit: "deliveries/s")
        drain.rate = Double(expected) / seconds
        drain.account(cpu.before, cpu.after, events: expected)
        drain.note =
            "\(expected) stored events in \(Report.format(seconds, digits: 2)) s from launch to the app's last; "
            + "the app received \(received.requests) (\(received.events) distinct), \(finished) done"
        return (drain, received.requests == expected && received.events == expected && finished == expected)
    }

    /// Waits until the sink on `port` has received `expected` requests: the drain ends when
    /// the app has everything, not when the agent's records say so.
    func waitForSink(port: Int, expected: Int) async throws -> ContinuousClock.Instant {
        try await waitUntil("the app to receive \(expected) deliveries") {
            Int(try await get("http://127.0.0.1:\(port)/count")) ?? 0 >= expected
        }
    }

    /// What the sink on `port` received: requests, and distinct events among them.
    func sinkCounts(port: Int) async throws -> (requests: Int, events: Int) {
        (Int(try await get("http://127.0.0.1:\(port)/count")) ?? 0, Int(try await get("http://127.0.0.1:\(port)/unique")) ?? 0)
    }

    static let execConfig =
        webhookSource + """

            [[routes]]
            name = "true"
            source = "shop"
            exec = ["/bin/true"]
            """

    /// Stored events through an exec route running `/bin/true`, with nothing arriving; then the
    /// receiver's latency during the same drain.
    func execDrain(_ sizes: Sizes) async throws -> (drain: Measurement, probe: DrainProbe) {
        try await populate("drain-exec", count: sizes.execDrainEvents, routes: ["true"])
        let launched = ContinuousClock.now
        let agent = try await startAgent("drain-exec", config: Self.execConfig)
        let drain = try await timedDrain(agent, launched: launched, expected: sizes.execDrainEvents, title: "Drain, exec /bin/true")
        await agent.process.stop()
        let probe = try await probeDuringDrain(
            "drain-exec-probe",
            config: Self.execConfig,
            route: "true",
            what: "exec",
            sizes: sizes,
            backlog: sizes.execDrainEvents
        )
        return (drain, probe)
    }

    /// The floor of an exec delivery: `/bin/true` started with `posix_spawn` and waited for, in
    /// a loop on each core, by a process doing nothing else.
    func spawnFloor(_ sizes: Sizes) async throws -> Measurement {
        let count = max(200, sizes.execDrainEvents / 5)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let before = try ProcessSample.read(pid: getpid())
        var childrenBefore = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &childrenBefore)
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<cores {
                group.addTask {
                    try await Self.spawnLoop(count: count / cores)
                }
            }
            try await group.waitForAll()
        }
        let seconds = (ContinuousClock.now - started).seconds
        let own = try ProcessSample.read(pid: getpid()).cpuSeconds - before.cpuSeconds
        var childrenAfter = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &childrenAfter)
        let spawned = count / cores * cores
        let children = Self.cpuSeconds(childrenAfter) - Self.cpuSeconds(childrenBefore)
        var floor = Measurement("Floor: posix_spawn of /bin/true in a loop per core", unit: "spawns/s")
        floor.isAgent = false
        floor.rate = Double(spawned) / seconds
        floor.cpuPerThousand = own / Double(spawned) * 1000
        floor.note = "the spawning process's CPU; each /bin/true took \(Report.format(children / Double(spawned) * 1000, digits: 3)) ms of its own"
        return floor
    }

    /// Spawns and reaps `/bin/true` `count` times, on a thread of its own (waitpid blocks).
    private static func spawnLoop(count: Int) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread.detachNewThread {
                let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
                let envp: [UnsafeMutablePointer<CChar>?] = [nil]
                defer { free(argv[0]) }
                for _ in 0..<count {
                    var pid: pid_t = 0
                    let result = posix_spawn(&pid, "/bin/true", nil, nil, argv, envp)
                    guard result == 0 else {
                        continuation.resume(throwing: BenchError("posix_spawn /bin/true: \(String(cString: strerror(result)))"))
                        return
                    }
                    var status: Int32 = 0
                    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                }
                continuation.resume()
            }
        }
    }

    private static func cpuSeconds(_ usage: rusage) -> Double {
        Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Waits until `expected` deliveries are done; the rate counts from the agent's launch.
    private func timedDrain(
        _ agent: RunningAgent,
        launched: ContinuousClock.Instant,
        expected: Int,
        title: String
    ) async throws
        -> Measurement
    {
        let before = try agent.process.sample()
        let done = try await waitUntil(title) {
            try agent.count("SELECT COUNT(*) FROM delivery WHERE state = 'done'") >= expected
        }
        let seconds = (done - launched).seconds
        var drain = Measurement(title, unit: "deliveries/s")
        drain.rate = Double(expected) / seconds
        drain.account(before, try agent.process.sample(), events: expected)
        drain.note = "\(expected) stored events in \(Report.format(seconds, digits: 2)) s from launch"
        return drain
    }

    // MARK: Idle and peer

    /// The agent with a webhook source, a polling source and a route, and nothing to do.
    func idle(_ sizes: Sizes) async throws -> (Measurement, cpuPercent: Double, rss: Int) {
        let (api, apiPort) = try await startServer("stripe-api", ["--events", "100", "--api-key", apiKey], ready: "/pages")
        let agent = try await startAgent(
            "idle",
            config: Self.webhookSource + """

                [[sources]]
                name = "feed"
                provider = "stripe"
                mode = "poll"
                api_key = "file:./api-key"
                api_base = "http://127.0.0.1:\(apiPort)"
                poll = "every 1m"
                """ + "\n" + Self.idleRoute
        )
        // Let start-up and the first poll pass settle.
        try await Task.sleep(for: .seconds(2))
        let before = try agent.process.sample()
        try await Task.sleep(for: .seconds(sizes.idleSeconds))
        let after = try agent.process.sample()
        await agent.process.stop()
        await api.stop()
        let percent = (after.cpuSeconds - before.cpuSeconds) / sizes.idleSeconds * 100
        var measurement = Measurement("Idle agent", note: "\(Report.format(percent, digits: 2)) % CPU over \(Int(sizes.idleSeconds)) s")
        measurement.peakRSS = after.rssBytes
        return (measurement, percent, after.rssBytes)
    }

    /// Debian's `webhook` (adnanh/webhook) with an HMAC rule running `/bin/true`; it stores nothing.
    func peer(_ sizes: Sizes) async throws -> Measurement? {
        let binary = "/usr/bin/webhook"
        guard FileManager.default.isExecutableFile(atPath: binary) else { return nil }
        let home = "\(directory)/peer"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let hooks: [[String: Any]] = [
            [
                "id": "shop",
                "execute-command": "/bin/true",
                "trigger-rule-mismatch-http-response-code": 401,
                "trigger-rule": [
                    "match": [
                        "type": "payload-hmac-sha256", "secret": secret,
                        "parameter": ["source": "header", "name": "X-Hub-Signature-256"],
                    ]
                ],
            ]
        ]
        try JSONSerialization.data(withJSONObject: hooks, options: [.withoutEscapingSlashes]).write(to: URL(fileURLWithPath: "\(home)/hooks.json"))
        let port = try freeLoopbackPort()
        let process = try ChildProcess(
            name: "webhook",
            executable: binary,
            arguments: ["-hooks", "\(home)/hooks.json", "-ip", "127.0.0.1", "-port", String(port)],
            log: "\(home)/webhook.log"
        )
        try await waitForHTTP("http://127.0.0.1:\(port)/", process: process, anyStatus: true)
        var requests = stripeEvents(port: port, run: Self.run())
        requests.path = "/hooks/shop"
        requests.signature = .hub
        let before = try process.sample()
        let run = try await drive(
            port: port,
            connections: sizes.connections,
            seconds: sizes.loadSeconds,
            rate: sizes.rate,
            requests: requests,
            signing: nil
        )
        var measurement = Measurement(
            "Peer: Debian webhook \(try await Self.version(of: binary, in: home)), HMAC rule, /bin/true",
            run: run,
            unit: "req/s",
            note: "stores nothing" + (run.load.failed > 0 ? "; \(run.load.failed) not acknowledged" : "")
        )
        measurement.isAgent = false
        measurement.account(before, try process.sample(), events: run.load.acknowledged)
        await process.stop()
        return measurement
    }

    // MARK: Helpers

    /// What `binary -version` says of itself ("webhook version 2.8.0" → "2.8.0"), so the report
    /// names the peer that actually ran.
    static func version(of binary: String, in directory: String) async throws -> String {
        let output = "\(directory)/version.out"
        let status = try await Subprocess.run(binary, ["-version"], output: output)
        let printed = try String(contentsOfFile: output, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard status == 0, let version = printed.split(separator: " ").last else {
            throw BenchError("\(binary) -version exited \(status): \(printed)")
        }
        return String(version)
    }

    /// Stores `count` events into the inbox of agent `name` before it starts, as a backlog.
    func populate(_ name: String, count: Int, routes: [String]) async throws {
        try await populate(.sqlite(path: "\(directory)/\(name)/data/inbox.sqlite"), count: count, routes: routes)
    }

    /// Stores `count` events into the inbox at `location`, as a backlog.
    func populate(_ location: InboxLocation, count: Int, routes: [String]) async throws {
        let inbox = try await InboxFactory.open(location, access: .create)
        let run = Self.run()
        let now = Date()
        var next = 0
        while next < count {
            let chunk = next..<min(count, next + 2_000)
            let events = chunk.map { key in
                let id = "evt_\(run)_\(key)"
                return IncomingEvent(
                    source: "shop",
                    eventID: id,
                    type: "invoice.paid",
                    occurredAt: now,
                    receivedAt: now,
                    origin: .webhook,
                    headers: ["content-type": "application/json; charset=utf-8"],
                    body: SignedEvents.body(id: id, key: key, type: "invoice.paid", created: Int(now.timeIntervalSince1970)),
                    routes: routes
                )
            }
            _ = try await inbox.storePage(events, source: "shop", cursor: nil)
            next = chunk.upperBound
        }
        try await inbox.shutdown()
    }
}

/// After a load run: is every acknowledged event in the inbox, and exactly once?
struct IngestCheck: Sendable {
    var acknowledged: Int
    var stored: Int
    var missing: Int
    var storedTwice: Int

    init(agent: RunningAgent, requests: SignedEvents, run: LoadRun) throws {
        let ids = try agent.inbox().read { db in try String.fetchAll(db, sql: "SELECT event_id FROM event WHERE source = 'shop'") }
        self.init(stored: ids, loads: [(requests, run.load)])
        sentTwice = run.exhausted
    }

    /// `stored`: every event id in the inbox; `loads`: each load run with its event maker.
    /// Several loads at once each number their events from 0, so a key is its run and number.
    init(stored ids: [String], loads: [(requests: SignedEvents, load: LoadResult)]) {
        let keys = ids.compactMap { id in
            loads.lazy.compactMap { run in run.requests.key(ofEventID: id).map { "\(run.requests.run)_\($0)" } }.first
        }
        let storedKeys = Set(keys)
        let acknowledgedKeys = Set(loads.flatMap { run in run.load.log.acknowledged.map { "\(run.requests.run)_\($0)" } })
        acknowledged = acknowledgedKeys.count
        stored = keys.count
        missing = acknowledgedKeys.subtracting(storedKeys).count
        storedTwice = keys.count - storedKeys.count
    }

    /// Requests the generator had to send a second time, having run out of signed ones: a
    /// repeat can hide a missing event, so the check cannot pass.
    var sentTwice = 0

    var passed: Bool { missing == 0 && storedTwice == 0 && sentTwice == 0 }

    var summary: String {
        passed
            ? "all \(acknowledged) acknowledged ids stored once"
            : "\(missing) acknowledged ids missing, \(storedTwice) stored twice, \(sentTwice) requests sent twice"
    }
}
