import Foundation
import HookSyncTesting

/// An agent's directory: its configuration on a fixed port, its secret files and its inbox.
/// The agent can be launched from it again and again, as systemd restarts a service.
struct AgentHome: Sendable {
    let name: String
    let directory: String
    let port: Int
    let configFile: String
    let agentBinary: String
    /// Where `data_dir` points; the inbox is `inbox.sqlite` in it.
    let dataDirectory: String

    /// Writes the configuration: `data_dir` and `topLevel` keys (such as `agent_id`), an
    /// `[http]` listener on a free port, then `config`.
    /// - Parameter dataDirectory: an absolute path for `data_dir`, or nil for `<home>/data`.
    /// - Parameter http: more keys for the `[http]` table (such as `idle_timeout`).
    init(bench: Workbench, name: String, config: String, topLevel: String = "", http: String = "", dataDirectory: String? = nil) throws {
        self.name = name
        directory = "\(bench.directory)/\(name)"
        agentBinary = bench.agentBinary
        self.dataDirectory = dataDirectory ?? "\(directory)/data"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try bench.secret.write(toFile: "\(directory)/webhook-secret", atomically: true, encoding: .utf8)
        try bench.secret.write(toFile: "\(directory)/forward-secret", atomically: true, encoding: .utf8)
        try bench.apiKey.write(toFile: "\(directory)/api-key", atomically: true, encoding: .utf8)
        port = try freeLoopbackPort()
        configFile = "\(directory)/hooksync.toml"
        let text = """
            data_dir = "\(self.dataDirectory)"
            \(topLevel)
            [http]
            listen = "127.0.0.1:\(port)"
            max_body = "1MiB"
            \(http)

            \(config)
            """
        try text.write(toFile: configFile, atomically: true, encoding: .utf8)
    }

    var database: String { "\(dataDirectory)/inbox.sqlite" }

    /// `hooksync run` on this home; its output goes to `log` (default `<home>/agent.log`).
    func launch(environment: [String: String] = [:], log: String? = nil) throws -> ChildProcess {
        try ChildProcess(
            name: "hooksync",
            executable: agentBinary,
            arguments: ["run", "--config", configFile],
            environment: environment,
            log: log ?? "\(directory)/agent.log"
        )
    }
}
