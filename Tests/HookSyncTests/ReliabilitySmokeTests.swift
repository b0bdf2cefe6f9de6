import Foundation
import Testing

/// `make reliability` in its bounded form (`--quick`: fewer events, kills and fuzz cases) on
/// the debug agent: every scenario must pass its end-state checks — nothing acknowledged lost,
/// nothing doubled but after a cut-short attempt, no forged event stored, no secret logged.
@Suite struct ReliabilitySmokeTests {
    @Test func everyScenarioKeepsItsPromises() async throws {
        let directory = try TemporaryDirectory()
        // Mounting the small tmpfs of the storage scenario takes root, or a user namespace; the
        // shared-inbox scenarios' PostgreSQL cannot run as a namespace's root, so they run
        // outside it.
        let launcher = getuid() == 0 ? [] : ["/usr/bin/unshare", "--user", "--map-root-user", "--mount"]
        var printed = ""
        for (scenarios, launcher) in [("kill,power,push,outage,api,downstream,storage,hostile", launcher), ("shared", [])] {
            let output = try await HookSyncBinary.run(
                ["reliability", "--quick", "--only", scenarios, "--binary", HookSyncBinary.path, "--out", ""],
                in: directory,
                executable: "hooksync-bench",
                launcher: launcher
            )
            #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
            printed += output.stdout
        }
        let passed = printed.split(separator: "\n").filter { $0.hasPrefix("== ") && $0.hasSuffix(": passed") }
        #expect(passed.count == 13, "\(printed)")
        #expect(!printed.contains("[FAIL]"), "\(printed)")
    }
}
