import Foundation
import GRDB
import HookSyncCore
import HookSyncTesting

extension ReliabilitySuite {
    /// Power cuts under load: everything the agent (and the operator's CLI) wrote but did not
    /// sync is lost at each cut, as on a machine losing power; the agent starts again on what
    /// survived. First the simulator proves it can tell: a reference writer with
    /// `synchronous = NORMAL` or `OFF` must lose acknowledged rows, and with `FULL` none.
    func powerLoss() async throws -> ReliabilityResult {
        var result = ReliabilityResult("Power cut under load", command: command("power"))
        let library = URL(fileURLWithPath: bench.agentBinary).deletingLastPathComponent().appendingPathComponent("libPowerCut.so").path

        for mode in ["FULL", "NORMAL", "OFF"] {
            let (acknowledged, lost, integrity) = try await referenceWriter(mode, library: library)
            result.figure("reference writer, synchronous = \(mode): rows acknowledged, lost at the cut", "\(acknowledged), \(lost)")
            if mode == "FULL" {
                result.check("the simulator keeps what a FULL writer acknowledged", acknowledged > 0 && lost == 0, "\(lost) of \(acknowledged) lost")
            } else {
                result.check(
                    "the simulator catches a \(mode) writer losing acknowledged rows",
                    acknowledged > 0 && lost > 0,
                    "\(lost) of \(acknowledged) lost"
                )
            }
            result.check("the reference writer's file passes integrity_check (\(mode))", integrity == "ok", integrity)
        }

        return try await withMocks(["flaky": .failFirstSeen(1)]) { provider, _, recorder, recorderServer in
            var cut = try PowerCut(directory: "\(bench.directory)/power-disk", library: library)
            let agent = try AgentUnderTest(
                bench,
                name: "power",
                config: source(mode: "webhook") + forwardRoute("app", recorder: recorderServer)
                    + forwardRoute("flaky", recorder: recorderServer, maxAttempts: 1) + "\n[worker]\nconcurrency = 32\n",
                dataDirectory: cut.live
            )
            agent.environment = cut.environment
            try await agent.start()
            provider.target(agent.webhookURL())
            let faults = ChaosProvider.WebhookFaults(retries: [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4)])
            let rate = sizes.killRate
            let load = Task { [provider] in try await provider.stream(rate: rate, for: .seconds(3600), faults: faults) }
            // A check that throws must not leave the load running against a stopped agent.
            defer { load.cancel() }

            var generator = SplitMix64(seed: seed &+ 17)
            var missing: Set<String> = []
            var damaged: [String] = []
            var deadSeen: Set<String> = []
            var replayed: Set<String> = []
            var deadLost: Set<String> = []
            var acknowledgedAtCuts = 0
            for round in 0..<sizes.powerCuts {
                try await Task.sleep(for: .milliseconds(Int.random(in: 300...1_500, using: &generator)))
                if round % 2 == 1 {
                    // The operator, on the same disk: what `dlq list` showed and what `replay`
                    // confirmed must outlive the next cut.
                    let dead = try await deadLetters(agent, environment: cut.environment).subtracting(replayed)
                    deadSeen.formUnion(dead)
                    let replay = Array(dead.sorted().prefix(3))
                    if !replay.isEmpty {
                        try await agent.cli(["replay", "--route", "flaky"] + replay, environment: cut.environment)
                        replayed.formUnion(replay)
                        deadSeen.subtract(replay)
                    }
                }
                await agent.kill9()
                let acknowledged = provider.tally.acknowledged
                acknowledgedAtCuts = acknowledged.count
                let (integrity, (stored, dead)) = try cut.survivor("inbox.sqlite") { db in
                    // A schema that was never synced did not survive: nothing did.
                    guard try db.tableExists("event") else { return (Set<String>(), Set<String>()) }
                    return (
                        Set(try String.fetchAll(db, sql: "SELECT event_id FROM event WHERE source = 'shop'")),
                        Set(
                            try String.fetchAll(
                                db,
                                sql:
                                    "SELECT e.event_id FROM delivery d JOIN event e ON e.id = d.event_rowid WHERE d.route = 'flaky' AND d.state = 'dead'"
                            )
                        )
                    )
                }
                missing.formUnion(acknowledged.subtracting(stored))
                if integrity != "ok" { damaged.append("cut \(round + 1): \(integrity)") }
                deadLost.formUnion(deadSeen.subtracting(dead))
                try cut.restore()
                try await agent.start()
            }
            let (acknowledged, stored) = try await endLoad(load, provider: provider, inbox: agent.queries)
            _ = try await waitDelivered(stored.union(acknowledged), route: "app", recorder: recorder, inbox: agent.queries)
            let stillDead = try await deadLetters(agent, environment: cut.environment)
            await agent.stop()

            result.figure("events acknowledged (2xx)", acknowledged.count)
            result.figure("power cuts", agent.kills)
            result.figure("acknowledged before the last cut", acknowledgedAtCuts)
            result.figure("dead letters seen by `dlq list` before a cut; replays confirmed by `replay`", "\(deadSeen.count); \(replayed.count)")
            result.figure("acknowledged, then lost at a cut: events lost", missing.count)
            result.check(
                "every event acknowledged before a cut survived it",
                missing.isEmpty,
                missing.isEmpty
                    ? "\(acknowledgedAtCuts) of \(acknowledgedAtCuts)"
                    : "lost \(missing.count): \(missing.sorted().prefix(5).joined(separator: ", "))"
            )
            result.check(
                "the surviving inbox passes PRAGMA integrity_check after every cut",
                damaged.isEmpty,
                damaged.prefix(3).joined(separator: "; ")
            )
            result.check("at least 5 power cuts", agent.kills >= 5, "\(agent.kills)")
            // An outcome not yet synced at a cut runs again: allowed across that cut, as after a kill.
            result.checkExactlyOnce(route: "app", expected: stored.union(acknowledged), sightings: recorder.sightings(route: "app"), cuts: agent.cuts)
            result.check(
                "a dead letter `dlq list` showed survives every later cut",
                !deadSeen.isEmpty && deadLost.isEmpty && deadSeen.isSubset(of: stillDead),
                "\(deadSeen.count) seen, \(deadLost.count) lost at a cut, \(deadSeen.subtracting(stillDead).count) gone at the end"
            )
            let replayedAccepted = recorder.accepted(route: "flaky")
            let replaysUndelivered = replayed.subtracting(replayedAccepted.keys)
            result.check(
                "a replay `replay` confirmed survives the later cuts: the app receives the event",
                !replayed.isEmpty && replaysUndelivered.isEmpty,
                "\(replayed.count) replayed, \(replaysUndelivered.count) never delivered"
            )
            return result
        }
    }

    /// Starts the reference writer on a fresh power-cut disk, cuts the power after a moment,
    /// and counts the acknowledged rows that did not survive.
    private func referenceWriter(_ mode: String, library: String) async throws -> (acknowledged: Int, lost: Int, integrity: String) {
        var cut = try PowerCut(directory: "\(bench.directory)/power-writer-\(mode)", library: library)
        let log = "\(bench.directory)/power-writer-\(mode).log"
        let writer = try ChildProcess(
            name: "sqlite-writer",
            executable: bench.benchBinary,
            arguments: ["sqlite-writer", "--database", "\(cut.live)/rows.sqlite", "--synchronous", mode],
            environment: cut.environment,
            log: log
        )
        // Long enough for a few hundred commits even on a loaded machine.
        _ = try await bench.waitUntil("the reference writer's first 200 commits", timeout: .seconds(60)) {
            guard writer.process.isRunning else { throw BenchError("the reference writer exited; see \(log)") }
            return (try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").count) > 200
        }
        kill(writer.pid, SIGKILL)
        while writer.process.isRunning { try await Task.sleep(for: .milliseconds(5)) }
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        let expected = ["FULL": "2", "NORMAL": "1", "OFF": "0"][mode] ?? "?"
        guard lines.first == "synchronous \(expected)" else {
            throw BenchError("the reference writer did not run with synchronous = \(mode): \(lines.first ?? "no output")")
        }
        let acknowledged = Set(lines.dropFirst().compactMap { Int($0) })
        let (integrity, stored) = try cut.survivor("rows.sqlite") { db in
            try db.tableExists("row") ? Set(try Int.fetchAll(db, sql: "SELECT id FROM row")) : []
        }
        return (acknowledged.count, acknowledged.subtracting(stored).count, integrity)
    }

    /// Event ids `hooksync dlq list` shows dead at route `flaky`.
    private func deadLetters(_ agent: AgentUnderTest, environment: [String: String]) async throws -> Set<String> {
        let output = try await agent.cli(["dlq", "list", "--route", "flaky", "--limit", "100000", "--json"], environment: environment)
        guard let letters = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]] else {
            throw BenchError("dlq list --json printed no array: \(output.prefix(200))")
        }
        return Set(letters.compactMap { $0["id"] as? String })
    }
}
