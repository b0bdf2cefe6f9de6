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

/// `hooksync-bench run --quick --only <scenarios>` at 200 requests/s on 4 connections, against
/// the debug agent; the lines it printed.
func quickBench(only scenarios: String) async throws -> [Substring] {
    let output = try await HookSyncBinary.run(
        ["run", "--quick", "--only", scenarios, "--connections", "4", "--rate", "200", "--binary", HookSyncBinary.path, "--out", ""],
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
