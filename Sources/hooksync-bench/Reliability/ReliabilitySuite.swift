import Foundation
import HookSyncCore

/// How much each scenario does; `--quick` is the bounded form `make test` runs.
struct ReliabilitySizes: Sendable {
    var kills = 12
    var powerCuts = 12
    var killRate = 300
    var pushEvents = 3_000
    var pushSeconds = 20.0
    var outageBefore = 300
    var outageDuring = 3_000
    var apiRate = 40
    var apiSeconds = 30.0
    /// The API's faulty phase lasts until each kind of fault was served this often.
    var faultRounds = 3
    var downstreamEvents = 200
    var storageEvents = 300
    var fuzzCases = 20_000
    var slowSeconds = 30.0
    var idleConnections = 500

    static let quick = ReliabilitySizes(
        kills: 10,
        powerCuts: 5,
        killRate: 100,
        pushEvents: 300,
        pushSeconds: 5,
        outageBefore: 50,
        outageDuring: 300,
        apiRate: 20,
        apiSeconds: 10,
        faultRounds: 1,
        downstreamEvents: 30,
        storageEvents: 100,
        fuzzCases: 1_500,
        slowSeconds: 6,
        idleConnections: 200
    )
}

/// The scenarios of `make reliability`: the real agent binary against the chaos provider and
/// the recording route, each scenario on a fresh home and inbox, judged by the end state.
struct ReliabilitySuite {
    let bench: Workbench
    let sizes: ReliabilitySizes
    let seed: UInt64
    /// The command line that reruns one scenario with this run's seed and sizes.
    let command: (String) -> String

    func source(mode: String, extra: String = "") -> String {
        """
        [[sources]]
        name = "shop"
        provider = "stripe"
        mode = "\(mode)"
        webhook_secret = "file:./webhook-secret"
        \(mode == "webhook" ? "" : "api_key = \"file:./api-key\"")
        \(extra)
        """
    }

    /// A forward route to the recorder; fast retries so scenarios finish in seconds.
    /// Stands for the agent's name in a configuration; each ``AgentUnderTest`` writes its own.
    static let senderPlaceholder = "{agent}"

    /// A route forwarding to the recorder, whose URL names the sending agent: what reaches the
    /// app says which agent sent it.
    func forwardRoute(_ name: String, recorder: LocalServer, maxAttempts: Int = 30, extra: String = "") -> String {
        """

        [[routes]]
        name = "\(name)"
        source = "shop"
        forward = "http://127.0.0.1:\(recorder.port)/r/\(name)?from=\(Self.senderPlaceholder)"
        forward_secret = "file:./forward-secret"
        timeout = "2s"
        max_attempts = \(maxAttempts)
        backoff = { base = "100ms", max = "1s" }
        \(extra)
        """
    }

    func polling(_ provider: LocalServer, poll: String, extra: String = "") -> String {
        """
        api_base = "http://127.0.0.1:\(provider.port)"
        poll = "\(poll)"
        backfill = "1h"
        \(extra)
        """
    }

    /// Waits until `route` has processed every id in `expected` and no delivery is left to run.
    func waitDelivered(
        _ expected: Set<String>,
        route: String,
        recorder: Recorder,
        inbox: InboxQueries,
        timeout: Duration = .seconds(300)
    ) async throws -> ContinuousClock.Instant {
        try await bench.waitUntil("\(expected.count) events at route \(route)", timeout: timeout) {
            let open = try await inbox.openDeliveries()
            return open == 0 && expected.isSubset(of: recorder.accepted(route: route).keys)
        }
    }
}

extension ReliabilitySuite {
    /// Lets the load run a second more, stops it, waits for the provider's retries to settle,
    /// and returns what the provider saw acknowledged and what the agent's inbox holds.
    func endLoad<T>(
        _ load: Task<T, any Error>,
        provider: ChaosProvider,
        inbox: InboxQueries
    ) async throws -> (acknowledged: Set<String>, stored: Set<String>) {
        try await Task.sleep(for: .seconds(1))
        load.cancel()
        _ = await load.result
        await provider.settle()
        return (provider.tally.acknowledged, try await inbox.storedEvents())
    }
}

extension Duration {
    var formatted: String {
        seconds < 10 ? String(format: "%.2f s", seconds) : String(format: "%.1f s", seconds)
    }
}

extension ReliabilitySuite {
    /// Runs `body` with a fresh chaos provider and recorder, and stops both after it.
    func withMocks(
        _ behaviours: [String: Recorder.Behaviour],
        _ body: (ChaosProvider, LocalServer, Recorder, LocalServer) async throws -> ReliabilityResult
    ) async throws -> ReliabilityResult {
        let (provider, providerServer) = try await ChaosProvider.start(bench: bench, seed: seed)
        let (recorder, recorderServer) = try await Recorder.start(behaviours, bench: bench)
        func stop() async {
            await provider.shutdown()
            providerServer.stop()
            recorderServer.stop()
        }
        do {
            let result = try await body(provider, providerServer, recorder, recorderServer)
            await stop()
            return result
        } catch {
            await stop()
            throw error
        }
    }
}
