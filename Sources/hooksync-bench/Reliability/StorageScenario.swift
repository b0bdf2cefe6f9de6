import Foundation
import GRDB
import HookSyncCore
import HookSyncDemo

extension ReliabilitySuite {
    /// 6a. The inbox's file system fills up under load: the receiver must answer 503 rather than
    /// acknowledge what it could not store, leave nothing half-written, and recover by itself
    /// once space returns.
    func diskFull() async throws -> ReliabilityResult {
        var result = ReliabilityResult("Storage: the disk fills up", command: command("storage"))
        let disk = "\(bench.directory)/small-disk"
        try TmpfsMount.mount(at: disk, size: "8m")
        defer { TmpfsMount.unmount(disk) }
        return try await withMocks([:]) { provider, _, recorder, recorderServer in
            let agent = try AgentUnderTest(
                bench,
                name: "disk-full",
                config: source(mode: "webhook") + forwardRoute("app", recorder: recorderServer),
                dataDirectory: "\(disk)/data"
            )
            try await agent.start()
            provider.target(agent.webhookURL())
            let before = Set(provider.create(sizes.storageEvents))
            await provider.settle()

            // Fill every byte left, then keep sending until the agent refuses for a while.
            let filler = "\(disk)/filler"
            let fill = try TmpfsMount.fill(filler)
            let unavailableBefore = provider.tally.answers[503, default: 0]
            let failedBefore = provider.tally.failedSends
            var during = Set<String>()
            _ = try await bench.waitUntil("503s from the full disk", timeout: .seconds(120)) {
                during.formUnion(provider.create(10))
                await provider.settle()
                return provider.tally.failedSends - failedBefore >= 20
            }
            let refusedWhileFull = provider.tally.answers[503, default: 0] - unavailableBefore
            let otherFailures = provider.tally.failedSends - failedBefore - refusedWhileFull
            let ackedWhileFull = during.intersection(provider.tally.acknowledged)
            let storedWhileFull = try await agent.queries.storedEvents()
            let integrity = try agent.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
            let orphans = try agent.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event e WHERE NOT EXISTS (SELECT 1 FROM delivery d WHERE d.event_rowid = e.id)") ?? 0
            }
            let alive = agent.isRunning

            // Space returns; the provider's retries must get through without a restart.
            try FileManager.default.removeItem(atPath: filler)
            let freed = ContinuousClock.now
            let retries = ChaosProvider.WebhookFaults(retries: Array(repeating: .milliseconds(250), count: 40))
            let after = Set(provider.create(sizes.storageEvents, faults: retries))
            await provider.settle()
            let acknowledged = provider.tally.acknowledged
            let recovered = after.isSubset(of: acknowledged)
            let expected = before.union(ackedWhileFull).union(after)
            let done = try await waitDelivered(expected, route: "app", recorder: recorder, inbox: agent.queries)
            await agent.stop()

            result.figure("file system", "tmpfs of 8 MiB, filled to the last byte (\(fill / 1024) KiB of filler)")
            result.figure("events before the disk filled", before.count)
            result.figure("events sent while full", during.count)
            result.figure("answered 503 while full", refusedWhileFull)
            result.figure("acknowledged while full (room left in the WAL)", ackedWhileFull.count)
            result.figure("events after space returned", after.count)
            result.figure("time from space returning to the last delivery", (done - freed).formatted)
            result.check("the agent kept running on a full disk", alive)
            result.check(
                "the receiver answered 503 on a full disk, and nothing else went wrong",
                refusedWhileFull > 0 && otherFailures == 0,
                "\(refusedWhileFull) answers 503, \(otherFailures) other failures"
            )
            let refused = during.subtracting(ackedWhileFull)
            result.check(
                "nothing refused was stored; everything acknowledged was",
                storedWhileFull.isDisjoint(with: refused) && before.union(ackedWhileFull).isSubset(of: storedWhileFull),
                "\(storedWhileFull.intersection(refused).count) refused but stored"
            )
            result.check(
                "nothing half-written: integrity_check ok and every event has its delivery",
                integrity == "ok" && orphans == 0,
                "\(integrity), \(orphans) without a delivery"
            )
            result.check("recovered by itself: every later event acknowledged without a restart", recovered && agent.launches == 1)
            result.checkExactlyOnce(route: "app", expected: expected, sightings: recorder.sightings(route: "app"))
            return result
        }
    }

    /// 6b. Another process holds a write transaction, then a long read transaction, on the
    /// inbox while webhooks arrive.
    func lockedDatabase() async throws -> ReliabilityResult {
        var result = ReliabilityResult("Storage: another process holds the database", command: command("storage"))
        return try await withMocks([:]) { provider, _, recorder, recorderServer in
            let agent = try AgentUnderTest(bench, name: "locked", config: source(mode: "webhook") + forwardRoute("app", recorder: recorderServer))
            try await agent.start()
            provider.target(agent.webhookURL())
            let retries = ChaosProvider.WebhookFaults(retries: Array(repeating: .milliseconds(500), count: 20))
            let rate = sizes.storageEvents / 5
            let load = Task { [provider] in try await provider.stream(rate: rate, for: .seconds(3600), faults: retries) }
            try await Task.sleep(for: .seconds(1))
            var configuration = Configuration()
            configuration.busyMode = .timeout(30)
            let other = try DatabaseQueue(path: agent.home.database, configuration: configuration)
            let held = Duration.seconds(4)
            // BEGIN IMMEDIATE: the write lock, as a migration or a careless script would take it.
            try await other.inTransaction(.immediate) { _ in
                Thread.sleep(forTimeInterval: held.seconds)
                return .commit
            }
            let answersDuringWrite = provider.tally.answers
            try await other.read { db in
                _ = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event")
                Thread.sleep(forTimeInterval: held.seconds)
            }
            let released = ContinuousClock.now
            try await Task.sleep(for: .seconds(1))
            load.cancel()
            _ = await load.result
            await provider.settle()
            let expected = Set(provider.stripe.ids)
            let acknowledged = provider.tally.acknowledged
            let done = try await waitDelivered(acknowledged, route: "app", recorder: recorder, inbox: agent.queries)
            await agent.stop()

            result.figure("events sent", expected.count)
            result.figure("write lock held by another process", held.formatted)
            result.figure("read transaction held by another process", held.formatted)
            result.figure(
                "webhook answers until the write lock was released",
                answersDuringWrite.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
            )
            result.figure("events acknowledged", acknowledged.count)
            result.figure("time from the locks' release to the last delivery", (done - released).formatted)
            result.check("every event was acknowledged in the end", acknowledged == expected, "\(acknowledged.count) of \(expected.count)")
            let stored = try await agent.queries.storedEvents()
            result.check("the inbox holds exactly the acknowledged events", stored == acknowledged, "\(stored.count) stored")
            result.checkExactlyOnce(route: "app", expected: acknowledged, sightings: recorder.sightings(route: "app"))
            return result
        }
    }
}

/// A size-limited tmpfs, so the scenario can fill a file system without touching the host's.
enum TmpfsMount {
    static func mount(at path: String, size: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let status = try run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path])
        guard status == 0 else {
            throw BenchError(
                "cannot mount a tmpfs at \(path) (mount exited \(status)): the storage scenario needs root, "
                    + "or run the suite under `unshare --user --map-root-user --mount` as `make reliability` does"
            )
        }
    }

    static func unmount(_ path: String) {
        _ = try? run("/bin/umount", ["-l", path])
    }

    /// Writes zeros to `path` until the file system is full; returns the bytes written.
    static func fill(_ path: String) throws -> Int {
        guard let file = fopen(path, "w") else { throw BenchError("cannot create \(path)") }
        defer { fclose(file) }
        let chunk = [UInt8](repeating: 0, count: 4096)
        var written = 0
        while true {
            let n = fwrite(chunk, 1, chunk.count, file)
            written += n
            if n < chunk.count || fflush(file) != 0 { break }
        }
        // Single bytes, to take the last partial block too.
        while fwrite(chunk, 1, 1, file) == 1, fflush(file) == 0 { written += 1 }
        return written
    }

    private static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
