import AsyncHTTPClient
import Crypto
import Foundation
import GRDB
import HookSyncCore
import HookSyncTesting
import NIOCore
import NIOHTTP1
import NIOPosix

/// What every scenario shares: the binaries under test, a scratch directory, the load
/// generator and an HTTP client for readiness checks and counters.
final class Workbench: Sendable {
    let agentBinary: String
    let benchBinary: String
    let directory: String
    let generator: LoadGenerator
    let client: HTTPClient
    let secret = "whsec_" + Data((0..<24).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
    let apiKey = "sk_test_bench_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    /// The PostgreSQL server of the shared-inbox scenarios, started on first use and stopped
    /// when the bench process ends.
    let postgres = ThrowawayPostgres()

    init(agentBinary: String, benchBinary: String, directory: String) {
        self.agentBinary = agentBinary
        self.benchBinary = benchBinary
        self.directory = directory
        generator = LoadGenerator(group: MultiThreadedEventLoopGroup(numberOfThreads: 1))
        client = HTTPClient(eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton))
    }

    func shutdown() async throws {
        try await client.shutdown()
        try await generator.group.shutdownGracefully()
    }

    /// Stripe events signed with this run's secret, for `POST /webhooks/<source>` on `port`.
    func stripeEvents(
        port: Int,
        source: String = "shop",
        run: String,
        repeats: Bool = false,
        type: String = "invoice.paid"
    )
        -> SignedEvents
    {
        SignedEvents(
            path: "/webhooks/\(source)",
            host: "127.0.0.1:\(port)",
            secret: SymmetricKey(data: Array(secret.utf8)),
            run: run,
            repeats: repeats,
            type: type
        )
    }

    func load(port: Int, connections: Int, seconds: Double, rate: Int? = nil, requests: any RequestMaker) async throws -> LoadResult {
        try await generator.run(
            .init(port: port, connections: connections, duration: .seconds(seconds), rate: rate, requests: requests)
        )
    }

    /// A load at full speed driven by wrk, or by this process's generator when a fixed rate is
    /// asked (wrk cannot keep one) or wrk is not installed. `signing` requests are signed
    /// beforehand for wrk, each sent once; nil sends the first one again and again, for a
    /// baseline that checks nothing.
    /// `wrk: false` keeps this process's generator, for a reference to runs that need it.
    func drive(
        port: Int,
        connections: Int,
        seconds: Double,
        rate: Int?,
        requests: any RequestMaker,
        signing: Int?,
        wrk: Bool = true
    ) async throws -> LoadRun {
        if wrk, rate == nil, WrkLoad.isInstalled {
            let wrk = WrkLoad(
                port: port,
                connections: connections,
                seconds: seconds,
                requests: requests,
                count: signing ?? 1,
                repeatsOne: signing == nil
            )
            return try await wrk.run(in: directory)
        }
        let before = try ProcessSample.read(pid: getpid())
        let result = try await load(port: port, connections: connections, seconds: seconds, rate: rate, requests: requests)
        return LoadRun(result, cpuSeconds: try ProcessSample.read(pid: getpid()).cpuSeconds - before.cpuSeconds)
    }

    /// How many requests to sign for a run of `seconds` that cannot outpace `ceiling` per second
    /// (the bare route's rate, when measured): a margin over it, so wrk never runs out.
    static func signing(seconds: Double, ceiling: Double?) -> Int {
        Int((ceiling.map { $0 * 1.2 } ?? 75_000) * seconds) + 1_000
    }

    // MARK: Processes

    /// Starts the agent on a configuration and waits until `/readyz` answers 200.
    /// `waitReady: false` for a poll-only agent, which is not ready before its first pass ends.
    func startAgent(
        _ name: String,
        config: String,
        topLevel: String = "",
        environment: [String: String] = [:],
        waitReady: Bool = true
    ) async throws
        -> RunningAgent
    {
        let home = try AgentHome(bench: self, name: name, config: config, topLevel: topLevel)
        let process = try home.launch(environment: environment)
        if waitReady { try await waitForHTTP("http://127.0.0.1:\(home.port)/readyz", process: process) }
        return RunningAgent(process: process, port: home.port, database: home.database, home: home.directory)
    }

    /// Starts one of this executable's servers (`bare`, `sink`, `stripe-api`).
    func startServer(_ command: String, _ arguments: [String] = [], ready path: String) async throws -> (ChildProcess, Int) {
        let port = try freeLoopbackPort()
        let process = try ChildProcess(
            name: command,
            executable: benchBinary,
            arguments: [command, "--port", String(port)] + arguments,
            log: "\(directory)/\(command)-\(port).log"
        )
        try await waitForHTTP("http://127.0.0.1:\(port)\(path)", process: process, anyStatus: true)
        return (process, port)
    }

    func waitForHTTP(_ url: String, process: ChildProcess, anyStatus: Bool = false) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            guard process.process.isRunning else { throw BenchError("\(process.name) exited before answering \(url)") }
            if let response = try? await client.execute(HTTPClientRequest(url: url), timeout: .seconds(2)),
                anyStatus || response.status == .ok
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchError("\(url) did not answer within 120 s")
    }

    /// Waits for a server inside this process to answer anything.
    func waitForLocalHTTP(_ url: String) async throws {
        _ = try await waitUntil("\(url) to answer", timeout: .seconds(30)) {
            (try? await client.execute(HTTPClientRequest(url: url), timeout: .seconds(2))) != nil
        }
    }

    func get(_ url: String) async throws -> String {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        return String(buffer: try await response.body.collect(upTo: 1 << 22))
    }

    /// One sample of an agent's `GET /metrics`, as Prometheus scrapes it: `name{labels}` → value.
    func metrics(port: Int) async throws -> [String: Double] {
        PrometheusSamples(try await get("http://127.0.0.1:\(port)/metrics")).values
    }

    /// Polls `condition` every 20 ms until it holds; returns when it did.
    func waitUntil(
        _ what: String,
        timeout: Duration = .seconds(600),
        _ condition: () async throws -> Bool
    ) async throws
        -> ContinuousClock.Instant
    {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return .now }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchError("timed out waiting for \(what)")
    }
}

/// An agent process with its port and inbox file.
struct RunningAgent {
    let process: ChildProcess
    let port: Int
    let database: String
    let home: String

    /// A read-only connection to the agent's inbox, as an operator's tool would open it.
    func inbox() throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        return try DatabaseQueue(path: database, configuration: configuration)
    }

    /// 0 until the agent has created and migrated its inbox.
    func count(_ sql: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: database) else { return 0 }
        return try inbox().read { db in try db.tableExists("poll_state") ? Int.fetchOne(db, sql: sql) ?? 0 : 0 }
    }
}
