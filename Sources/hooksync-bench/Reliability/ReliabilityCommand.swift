import ArgumentParser
import Foundation

/// `make reliability`: every scenario against the agent binary; fails when any check fails.
struct ReliabilityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reliability",
        abstract: "Crash, chaos, fault and hostile-input scenarios against the real agent, judged by the end state."
    )

    static let scenarioNames = ["kill", "power", "push", "outage", "api", "downstream", "storage", "hostile", "shared"]

    @Option(help: "The hooksync binary under test (a release build).")
    var binary = ".build/release/hooksync"

    @Option(help: "Where to write the report; empty for none. Written only by a full run of every scenario.")
    var out = "docs/reliability.md"

    @Flag(help: "Fewer events, kills and fuzz cases: the bounded form CI runs.")
    var quick = false

    @Option(help: "Only these scenarios (comma-separated): \(scenarioNames.joined(separator: ", ")).")
    var only: String?

    @Option(help: "Seeds the fault decisions, kill moments and fuzz cases; printed with the results.")
    var seed = UInt64.random(in: 1...999_999)

    func validate() throws {
        let unknown = (only?.split(separator: ",").map(String.init) ?? []).filter { !Self.scenarioNames.contains($0) }
        if !unknown.isEmpty {
            throw ValidationError("unknown scenario \(unknown.joined(separator: ", ")); known: \(Self.scenarioNames.joined(separator: ", "))")
        }
    }

    func run() async throws {
        let wanted = only.map { Set($0.split(separator: ",").map(String.init)) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hooksync-reliability-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let bench = Workbench(
            agentBinary: URL(fileURLWithPath: binary).standardizedFileURL.path,
            benchBinary: URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path,
            directory: directory
        )
        let quick = quick
        let seed = seed
        let suite = ReliabilitySuite(bench: bench, sizes: quick ? .quick : ReliabilitySizes(), seed: seed) { scenario in
            ".build/release/hooksync-bench reliability --only \(scenario) --seed \(seed)\(quick ? " --quick" : "")"
        }
        let scenarios: [(String, () async throws -> ReliabilityResult)] = [
            ("kill", suite.killUnderLoad),
            ("power", suite.powerLoss),
            ("push", suite.unreliablePush),
            ("outage", suite.outage),
            ("api", suite.providerAPIFaults),
            ("downstream", suite.downstreamFaults),
            ("storage", suite.diskFull),
            ("storage", suite.lockedDatabase),
            ("hostile", suite.hostileInput),
            ("shared", suite.sharedKill),
            ("shared", suite.sharedPollLeader),
            ("shared", suite.sharedDatabaseRestart),
            ("shared", suite.sharedOrder),
        ]
        print("hooksync reliability, seed \(seed)\(quick ? ", quick" : ""); scratch in \(directory)")
        var results: [ReliabilityResult] = []
        for (name, scenario) in scenarios where wanted?.contains(name) ?? true {
            let started = ContinuousClock.now
            var result: ReliabilityResult
            do {
                result = try await scenario()
            } catch {
                result = ReliabilityResult(name, command: suite.command(name))
                result.check("the scenario ran to its end", false, "\(error)")
            }
            result.figure("scenario time", (ContinuousClock.now - started).formatted)
            if name == "hostile" { suite.logCheck(into: &result) }
            // Unbuffered, so a long run shows each scenario as it ends.
            FileHandle.standardOutput.write(Data((ReliabilityReport.text(of: result) + "\n").utf8))
            results.append(result)
        }
        try? await bench.shutdown()
        let failed = results.filter { !$0.passed }
        if failed.isEmpty {
            try? FileManager.default.removeItem(atPath: directory)
        } else {
            print("FAILED: \(failed.map(\.name).joined(separator: ", ")); logs in \(directory)")
            throw ExitCode.failure
        }
        if !out.isEmpty, !quick, wanted == nil {
            try ReliabilityReport.document(results, seed: seed).write(toFile: out, atomically: true, encoding: .utf8)
            print("wrote \(out)")
        }
    }
}
