import Foundation
import HookSync
import HookSyncCore
import HookSyncTesting

/// The shared PostgreSQL inbox under the SQLite scenarios' loads: one agent, two agents behind
/// a load balancer, the database's own ceiling for the same rows, a drain shared by two agents,
/// and what repeats cost the database. Each scenario has a fresh database on the bench's
/// throwaway server, run with the server's defaults (`synchronous_commit = on`, `fsync = on`).
extension Workbench {
    /// Agents `name-0`, `name-1`, … on one shared inbox, each with its own agent id.
    func startSharedAgents(_ name: String, count: Int, inbox location: PostgresLocation, config: String) async throws -> [RunningAgent] {
        var agents: [RunningAgent] = []
        for index in 0..<count {
            agents.append(
                try await startAgent(
                    "\(name)-\(index)",
                    config: try ThrowawayPostgres.inboxTable(location) + "\n" + config,
                    topLevel: "agent_id = \"\(name)-\(index)\""
                )
            )
        }
        return agents
    }

    /// Every event id of source `shop` in a shared inbox.
    func sharedEventIDs(_ location: PostgresLocation) async throws -> [String] {
        try await InboxQueries.postgres(postgres, database: location.database).rows("SELECT event_id FROM event WHERE source = 'shop'")
            .compactMap(\.first)
    }

    /// Unique events at full speed through `count` agents on one PostgreSQL inbox, the
    /// connections split evenly between them as a load balancer spreads them. Also returns
    /// how many events each write transaction held.
    func postgresIngest(_ sizes: Sizes, agents count: Int) async throws -> (Measurement, IngestCheck, eventsPerWrite: Double) {
        let location = try await postgres.newDatabase()
        let agents = try await startSharedAgents(
            "pg-ingest-\(count)",
            count: count,
            inbox: location,
            config: Self.webhookSource + "\n" + Self.idleRoute
        )
        let makers = agents.map { stripeEvents(port: $0.port, run: Self.run()) }
        let before = try agents.map { try $0.process.sample() }
        let activityBefore = try await DatabaseActivity.read(postgres, location.database)
        let ports = agents.map(\.port)
        let loads = try await withThrowingTaskGroup(of: (Int, LoadResult).self) { group in
            for (index, port) in ports.enumerated() {
                group.addTask {
                    let load = try await self.load(
                        port: port,
                        connections: max(1, sizes.connections / count),
                        seconds: sizes.loadSeconds,
                        rate: sizes.rate.map { $0 / count },
                        requests: makers[index]
                    )
                    return (index, load)
                }
            }
            return try await group.reduce(into: [Int: LoadResult]()) { $0[$1.0] = $1.1 }
        }
        let activity = try await DatabaseActivity.read(postgres, location.database) - activityBefore
        let after = try agents.map { try $0.process.sample() }
        for agent in agents { await agent.process.stop() }

        let runs = agents.indices.compactMap { index in loads[index].map { (requests: makers[index], load: $0) } }
        var log = ConnectionLog()
        for run in runs { log.merge(run.load.log) }
        let merged = LoadResult(log: log, seconds: runs.map(\.load.seconds).max() ?? 0)
        var measurement = Measurement(
            count == 1 ? "Ingest, PostgreSQL, one agent" : "Ingest, PostgreSQL, \(count) agents (load split)",
            load: merged
        )
        measurement.account(ProcessSample.sum(before), ProcessSample.sum(after), events: merged.acknowledged)
        let check = IngestCheck(stored: try await sharedEventIDs(location), loads: runs)
        let perWrite = Double(check.stored) / Double(max(1, activity.writes))
        measurement.note =
            check.summary + "; \(Report.format(perWrite, digits: 1)) events per write transaction"
            + (merged.failed > 0 ? "; \(merged.failed) not acknowledged" : "")
        return (measurement, check, perWrite)
    }

    /// The database's own ceiling for the agent's write: `pgbench` committing the same
    /// multi-row insert into the same table, `rows` events per transaction, from as many
    /// clients as an agent's pool holds.
    func postgresCeiling(_ sizes: Sizes, rows: Int) async throws -> Measurement {
        let location = try await postgres.newDatabase()
        // The agent's schema, as the agent makes it.
        try await InboxFactory.open(.postgres(location), access: .create).shutdown()
        let body = String(decoding: SignedEvents.body(id: "evt_ceiling", key: 1, type: "invoice.paid", created: 1_800_000_000), as: UTF8.self)
            .replacingOccurrences(of: "'", with: "''")
        let values = (0..<rows).map { row in
            """
            ('shop', 'evt_' || :client_id || '_' || :r || '_\(row)', 'evt_' || :client_id || '_' || :r || '_\(row)', 'invoice.paid', \
            extract(epoch from now()), extract(epoch from now()), 'webhook', extract(epoch from now()), \
            '{"content-type":"application/json; charset=utf-8"}', convert_to('\(body)', 'UTF8'))
            """
        }
        let script = """
            \\set r random(1, 999999999999)
            BEGIN;
            INSERT INTO event (source, event_id, dedup_key, type, occurred_at, received_at, origin, last_arrived_at, headers, body) \
            VALUES \(values.joined(separator: ", ")) ON CONFLICT (source, dedup_key) DO NOTHING RETURNING id, source, dedup_key;
            COMMIT;

            """
        let file = "\(directory)/ceiling-\(rows).sql"
        try script.write(toFile: file, atomically: true, encoding: .utf8)
        let clients = 8
        let output = try await postgres.pgbench(
            location.database,
            ["-n", "-f", file, "-c", "\(clients)", "-j", "1", "-T", "\(max(1, Int(sizes.loadSeconds)))"]
        )
        guard
            let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let tps = Double(line.dropFirst("tps = ".count).prefix { $0 != " " })
        else { throw BenchError("pgbench printed no rate: \(output)") }
        var measurement = Measurement("PostgreSQL's ceiling: pgbench, the same insert, \(rows) rows per commit")
        measurement.isAgent = false
        measurement.rate = tps * Double(rows)
        measurement.note = "\(Report.format(tps, digits: 0)) commits/s from \(clients) clients; the server's own processes"
        return measurement
    }

    /// Stored events forwarded to a local app by `count` agents sharing the inbox; the app
    /// counts what it received, so an event delivered twice shows there.
    func postgresDrain(_ sizes: Sizes, agents count: Int) async throws -> (Measurement, receivedOnce: Bool) {
        let (sink, sinkPort) = try await startServer("sink", ready: "/count")
        let location = try await postgres.newDatabase()
        try await populate(.postgres(location), count: sizes.drainEvents, routes: ["app"])
        let config = Self.forwardConfig(sinkPort: sinkPort)
        let launched = ContinuousClock.now
        let agents = try await startSharedAgents("pg-drain-\(count)", count: count, inbox: location, config: config)
        let before = try agents.map { try $0.process.sample() }
        let expected = sizes.drainEvents
        let done = try await waitForSink(port: sinkPort, expected: expected)
        let after = try agents.map { try $0.process.sample() }
        let seconds = (done - launched).seconds
        // A graceful stop lets deliveries in flight end: one run twice reaches the app first.
        for agent in agents { await agent.process.stop() }
        let received = try await sinkCounts(port: sinkPort)
        await sink.stop()
        let finished = Int(try await postgres.psql(location.database, "SELECT count(*) FROM delivery WHERE state = 'done'")) ?? 0

        return Self.sinkDrain(
            count == 1 ? "Drain, forward, PostgreSQL, one agent" : "Drain, forward, PostgreSQL, \(count) agents sharing it",
            expected: expected,
            seconds: seconds,
            cpu: (ProcessSample.sum(before), ProcessSample.sum(after)),
            received: received,
            finished: finished
        )
    }

    /// What repeats cost the database: an agent at rest, then the same agent taking only
    /// events it already stored, each phase from start to stop, read from the server.
    func postgresRepeats(_ sizes: Sizes) async throws -> (idle: Measurement, repeats: Measurement, writesPerThousand: Double) {
        let location = try await postgres.newDatabase()
        let config = Self.webhookSource + "\n" + Self.idleRoute
        let phase = sizes.loadSeconds / 2
        var agent = try await startSharedAgents("pg-repeats", count: 1, inbox: location, config: config)[0]
        let run = Self.run()
        let first = try await load(
            port: agent.port,
            connections: sizes.connections,
            seconds: min(2, phase),
            requests: stripeEvents(port: agent.port, run: run)
        )
        await agent.process.stop()
        let stored = Array(Set(first.log.acknowledged))

        let restStart = try await DatabaseActivity.settled(postgres, location.database)
        agent = try await startSharedAgents("pg-repeats", count: 1, inbox: location, config: config)[0]
        try await Task.sleep(for: .seconds(phase))
        await agent.process.stop()
        let restEnd = try await DatabaseActivity.settled(postgres, location.database)
        let rest = restEnd - restStart

        agent = try await startSharedAgents("pg-repeats", count: 1, inbox: location, config: config)[0]
        var replays = stripeEvents(port: agent.port, run: run)
        replays.replayKeys = stored
        let before = try agent.process.sample()
        let repeatsLoad = try await load(port: agent.port, connections: sizes.connections, seconds: phase, rate: sizes.rate, requests: replays)
        let after = try agent.process.sample()
        await agent.process.stop()
        let busy = try await DatabaseActivity.settled(postgres, location.database) - restEnd

        let idle = Measurement(
            "PostgreSQL, an agent at rest for \(Report.format(phase, digits: 0)) s",
            unit: "",
            note: rest.summary + " (start, heartbeats, stop)"
        )
        var repeats = Measurement("Ingest, PostgreSQL, repeats only", load: repeatsLoad)
        repeats.account(before, after, events: repeatsLoad.acknowledged)
        let extra = max(0, busy.writes - rest.writes)
        let perThousand = Double(extra) / Double(max(1, repeatsLoad.acknowledged)) * 1000
        repeats.note =
            "\(repeatsLoad.acknowledged) repeats acknowledged: " + busy.summary
            + " (\(Report.format(Double(busy.commits) / Double(max(1, repeatsLoad.acknowledged)), digits: 3)) commits per repeat)"
        return (idle, repeats, perThousand)
    }
}

extension ProcessSample {
    /// Several processes as one: their CPU added up, the largest memory.
    static func sum(_ samples: [ProcessSample]) -> ProcessSample {
        ProcessSample(
            cpuSeconds: samples.map(\.cpuSeconds).reduce(0, +),
            rssBytes: samples.map(\.rssBytes).max() ?? 0,
            peakRSSBytes: samples.map(\.peakRSSBytes).max() ?? 0
        )
    }
}
