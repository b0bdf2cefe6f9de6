import HookSyncTesting
import Hummingbird
import Logging

/// A Hummingbird server inside the harness process, for mocks whose state the scenario reads
/// directly: the chaos provider and the recording route.
struct LocalServer: Sendable {
    let port: Int
    private let task: Task<Void, any Error>

    static func start(_ router: Router<BasicRequestContext>, name: String, bench: Workbench) async throws -> LocalServer {
        let port = try freeLoopbackPort()
        var logger = Logger(label: name)
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: name),
            logger: logger
        )
        let server = LocalServer(port: port, task: Task { try await app.run() })
        try await bench.waitForLocalHTTP("http://127.0.0.1:\(port)/")
        return server
    }

    func stop() { task.cancel() }
}
