import ArgumentParser
import Foundation

@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hooksync-bench",
        abstract: "Measures hooksync against baselines run on the same machine in the same run.",
        subcommands: [
            RunBenchCommand.self, ReliabilityCommand.self, LoadCommand.self, BareCommand.self, SinkCommand.self, StripeAPICommand.self,
            SQLiteWriterCommand.self,
        ],
        defaultSubcommand: RunBenchCommand.self
    )
}

/// Runs every scenario, prints the table and writes `docs/benchmarks.md`.
struct RunBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run every scenario.")

    @Option(help: "The hooksync binary to measure (a release build).")
    var binary = ".build/release/hooksync"

    @Option(help: "Where to write the report; empty for none.")
    var out = "docs/benchmarks.md"

    @Flag(help: "Short runs and small data sets: a smoke test of the bench, not figures.")
    var quick = false

    @Option(help: "Connections of the ingest loads (default 64).")
    var connections: Int?

    @Option(help: "Requests per second of the ingest loads: a light, steady load instead of as fast as answers come.")
    var rate: Int?

    @Option(help: "Only these scenarios (comma-separated): ingest, routes, duplicates, backfill, drain, exec, idle, scale, postgres, peer.")
    var only: String?

    func run() async throws {
        var sizes = quick ? Sizes.quick : Sizes()
        if let connections { sizes.connections = connections }
        sizes.rate = rate
        let wanted = only.map { Set($0.split(separator: ",").map(String.init)) }
        func runs(_ name: String) -> Bool { wanted?.contains(name) ?? true }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hooksync-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let bench = Workbench(
            agentBinary: URL(fileURLWithPath: binary).standardizedFileURL.path,
            benchBinary: URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path,
            directory: directory
        )
        var report = Report()
        do {
            try await Benchmarks(bench: bench, sizes: sizes, runs: runs).run(into: &report)
        } catch {
            try? await bench.shutdown()
            print("bench failed: \(error); logs in \(directory)")
            throw ExitCode.failure
        }
        try await bench.shutdown()
        try? FileManager.default.removeItem(atPath: directory)

        print(report.table())
        print()
        print(report.targetTable())
        if !out.isEmpty, !quick, wanted == nil, connections == nil, rate == nil {
            try BenchmarksDocument(report: report, sizes: sizes).text.write(toFile: out, atomically: true, encoding: .utf8)
            print("\nwrote \(out)")
        }
    }
}
