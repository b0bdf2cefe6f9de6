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
