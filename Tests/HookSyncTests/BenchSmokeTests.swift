import Foundation
import Testing

/// `make bench`'s own checks, on the real agent binary at a light load: every acknowledged id
/// is stored once, and a phase of repeats commits nothing. Its speed targets are not asserted
/// here (a debug build on a shared CI machine); the tool must keep working.
@Suite struct BenchSmokeTests {
    @Test func acknowledgedEventsAreStoredOnceAndRepeatsWriteNothing() async throws {
        let directory = try TemporaryDirectory()
        let output = try await HookSyncBinary.run(
            [
                "run", "--quick", "--only", "ingest,duplicates", "--connections", "4", "--rate", "200",
                "--binary", HookSyncBinary.path, "--out", "",
            ],
            in: directory,
            executable: "hooksync-bench"
        )
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        let rows = output.stdout.split(separator: "\n")
        for target in ["Every acknowledged id stored exactly once", "Duplicates cost no write and no fsync"] {
            let row = try #require(rows.first { $0.hasPrefix("| \(target) |") }, "\(output.stdout)")
            #expect(row.hasSuffix("| yes |"), "\(row)")
        }
        let ingest = try #require(rows.first { $0.hasPrefix("| Ingest, unique events |") })
        #expect(ingest.contains("acknowledged ids stored once") && !ingest.contains(" 0 acknowledged"), "\(ingest)")
    }
}

/// `make bench`'s shared-inbox scenarios at a light load on the real agent binary and a
/// throwaway PostgreSQL: every acknowledged id stored once with one agent and with two, and a
/// drain shared by two agents received once each by the app. Run after the other tests, with
/// the multi-agent suite (see the Makefile).
@Suite struct PostgresBenchSmokeTests {
    @Test func sharedInboxScenariosStoreAndDeliverEachEventOnce() async throws {
        let directory = try TemporaryDirectory()
        let output = try await HookSyncBinary.run(
            [
                "run", "--quick", "--only", "postgres", "--connections", "4", "--rate", "200",
                "--binary", HookSyncBinary.path, "--out", "",
            ],
            in: directory,
            executable: "hooksync-bench"
        )
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        let rows = output.stdout.split(separator: "\n")
        for target in [
            "PostgreSQL: every acknowledged id stored exactly once, with one agent and with two",
            "PostgreSQL: a drain shared by two agents delivers each event once",
        ] {
            let row = try #require(rows.first { $0.hasPrefix("| \(target) |") }, "\(output.stdout)")
            #expect(row.hasSuffix("| yes |"), "\(row)")
        }
        let two = try #require(rows.first { $0.hasPrefix("| Ingest, PostgreSQL, 2 agents (load split) |") }, "\(output.stdout)")
        #expect(two.contains("acknowledged ids stored once") && !two.contains(" 0 acknowledged"), "\(two)")
    }
}
