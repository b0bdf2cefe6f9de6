import Foundation
import Testing

/// `make bench`'s own checks, on the real agent binary at a light load: every acknowledged id
/// is stored once, and a phase of repeats commits nothing. Its speed targets are not asserted
/// here (a debug build on a shared CI machine); the tool must keep working.
@Suite struct BenchSmokeTests {
    @Test func acknowledgedEventsAreStoredOnceAndRepeatsWriteNothing() async throws {
        let rows = try await quickBench(only: "ingest,duplicates")
        try expectMet(["Every acknowledged id stored exactly once", "Duplicates cost no write and no fsync"], in: rows)
        let ingest = try #require(rows.first { $0.hasPrefix("| Ingest, unique events |") })
        #expect(ingest.contains("acknowledged ids stored once") && !ingest.contains(" 0 acknowledged"), "\(ingest)")
    }

    /// The drain ends when the app has every event, counted there; the peer is named by the
    /// version its binary reports; the memory target covers every scenario the agent ran in.
    @Test func theDrainIsCountedAtTheAppAndThePeerNamedByItsVersion() async throws {
        let rows = try await quickBench(only: "drain,peer")
        try expectMet(["Forward drain: the app received each stored event once"], in: rows)
        let drain = try #require(rows.first { $0.hasPrefix("| Drain, forward to a local app |") }, "\(rows)")
        #expect(drain.contains("the app received 2000 (2000 distinct), 2000 done"), "\(drain)")
        #expect(rows.contains { $0.hasPrefix("| Peer: Debian webhook 2.8.0, HMAC rule") }, "\(rows.joined(separator: "\n"))")
        let memory = try #require(rows.first { $0.hasPrefix("| Agent RSS < 150 MB in every scenario |") }, "\(rows)")
        #expect(memory.contains("(Drain, forward to a local app), over 1 scenarios"), "\(memory)")
    }
}

/// `make bench`'s full-speed loads through wrk, on their own after the other tests (see the
/// Makefile): at full speed they would crowd the timing-bound waits of tests beside them.
@Suite struct WrkBenchSmokeTests {
    /// At full speed the loads go through wrk (`make test` installs it): requests signed
    /// beforehand, each sent once, and the acknowledged ids read back from its answers.
    @Test func wrkDrivesTheFullSpeedLoadsAndTheCheckStillHolds() async throws {
        let rows = try await quickBench(only: "ingest", fixedRate: false)
        try expectMet(["Every acknowledged id stored exactly once"], in: rows)
        let ingest = try #require(rows.first { $0.hasPrefix("| Ingest, unique events |") }, "\(rows)")
        #expect(ingest.contains("acknowledged ids stored once") && !ingest.contains(" 0 acknowledged"), "\(ingest)")
        #expect(ingest.contains("; wrk: ") && ingest.contains("µs CPU/request"), "\(ingest)")
        let bare = try #require(rows.first { $0.hasPrefix("| Bare Hummingbird route (baseline), before |") }, "\(rows)")
        #expect(bare.contains("; wrk: "), "\(bare)")
    }
}

/// `make bench`'s shared-inbox scenarios at a light load on the real agent binary and a
/// throwaway PostgreSQL: every acknowledged id stored once with one agent and with two, and a
/// drain shared by two agents received once each by the app. Run on its own after the other
/// tests (see the Makefile).
@Suite struct PostgresBenchSmokeTests {
    @Test func sharedInboxScenariosStoreAndDeliverEachEventOnce() async throws {
        let rows = try await quickBench(only: "postgres")
        try expectMet(
            [
                "PostgreSQL: every acknowledged id stored exactly once, with one agent and with two",
                "PostgreSQL: a drain shared by two agents delivers each event once",
            ],
            in: rows
        )
        let two = try #require(rows.first { $0.hasPrefix("| Ingest, PostgreSQL, 2 agents (load split) |") }, "\(rows)")
        #expect(two.contains("acknowledged ids stored once") && !two.contains(" 0 acknowledged"), "\(two)")
    }
}

/// `hooksync-bench run --quick --only <scenarios>` on 4 connections, at 200 requests/s unless
/// `fixedRate` is false (then as fast as answers come, through wrk), against the debug agent;
/// the lines it printed.
func quickBench(only scenarios: String, fixedRate: Bool = true) async throws -> [Substring] {
    let rate = fixedRate ? ["--rate", "200"] : []
    let output = try await HookSyncBinary.run(
        ["run", "--quick", "--only", scenarios, "--connections", "4"] + rate + ["--binary", HookSyncBinary.path, "--out", ""],
        in: try TemporaryDirectory(),
        executable: "hooksync-bench"
    )
    #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
    return output.stdout.split(separator: "\n")
}

/// Each of `targets` has its row in the bench's target table, marked met.
func expectMet(_ targets: [String], in rows: [Substring]) throws {
    for target in targets {
        let row = try #require(rows.first { $0.hasPrefix("| \(target) |") }, "\(rows.joined(separator: "\n"))")
        #expect(row.hasSuffix("| yes |"), "\(row)")
    }
}
