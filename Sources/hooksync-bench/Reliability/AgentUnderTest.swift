import Foundation
import GRDB
import HookSyncTesting

/// The release agent as a scenario drives it: started, killed with SIGKILL and started again
/// on one home, as systemd's `Restart=always` would, each run logging to its own file.
final class AgentUnderTest {
    let home: AgentHome
    private let bench: Workbench
    private(set) var process: ChildProcess?
    private(set) var launches = 0
    private(set) var kills = 0
    /// When each SIGKILL was sent, as the scenario's verdict on repeats needs them.
    private(set) var cuts: [Cut] = []
    /// Added to the agent's environment at each launch.
    var environment: [String: String] = [:]

    init(_ bench: Workbench, name: String, config: String, topLevel: String = "", http: String = "", dataDirectory: String? = nil) throws {
        self.bench = bench
        home = try AgentHome(
            bench: bench,
            name: name,
            config: config.replacingOccurrences(of: ReliabilitySuite.senderPlaceholder, with: name),
            topLevel: topLevel,
            http: http,
            dataDirectory: dataDirectory
        )
    }

    var port: Int { home.port }

    func webhookURL(source: String = "shop") -> String { "http://127.0.0.1:\(port)/webhooks/\(source)" }

    /// Launches the agent and waits until it answers `/healthz`.
    func start() async throws {
        // Whatever this agent sent before a kill was sent before this moment.
        if let last = cuts.indices.last, cuts[last].restarted == nil { cuts[last].restarted = Date() }
        launches += 1
        let process = try home.launch(environment: environment, log: "\(home.directory)/agent-\(launches).log")
        self.process = process
        try await bench.waitForHTTP("http://127.0.0.1:\(port)/healthz", process: process)
    }

    /// SIGKILL: no shutdown handler runs, as in a crash or an OOM kill.
    func kill9() async {
        guard let process, process.process.isRunning else { return }
        cuts.append(.kill(home.name, at: Date()))
        kill(process.pid, SIGKILL)
        while process.process.isRunning { try? await Task.sleep(for: .milliseconds(5)) }
        kills += 1
    }

    /// SIGTERM, as `systemctl stop` does.
    func stop() async {
        await process?.stop()
    }

    var isRunning: Bool { process?.process.isRunning ?? false }

    var logs: [String] { (1...max(1, launches)).map { "\(home.directory)/agent-\($0).log" } }

    /// A read-only connection, as an operator's tool opens the inbox while the agent runs.
    func inbox() throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        return try DatabaseQueue(path: home.database, configuration: configuration)
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try inbox().read(body)
    }

    /// The reads the verdicts need, on this agent's inbox.
    var queries: InboxQueries { .sqlite(home.database) }

    /// Runs the CLI on the agent's configuration, as an operator would; returns what it printed.
    @discardableResult
    func cli(_ arguments: [String], environment: [String: String] = [:]) async throws -> String {
        let output = "\(home.directory)/cli-\(UUID().uuidString).out"
        let status = try await Subprocess.run(bench.agentBinary, arguments + ["--config", home.configFile], environment: environment, output: output)
        let printed = try String(contentsOfFile: output, encoding: .utf8)
        guard status == 0 else { throw BenchError("hooksync \(arguments.joined(separator: " ")) exited \(status): \(printed)") }
        return printed
    }

    /// One sample of the agent's `GET /metrics`.
    func metrics() async throws -> [String: Double] {
        try await bench.metrics(port: port)
    }
}
