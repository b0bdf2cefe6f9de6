import Foundation
import TOMLKit

/// The whole agent configuration, read from one TOML file (`hooksync.toml`).
///
/// Relative paths in the file are resolved against the file's own directory, so the agent
/// behaves the same whatever directory systemd or a shell starts it from.
public struct AgentConfig: Sendable {
    /// The file this configuration was read from, for messages.
    public var file: String
    /// Names this agent: its leases carry it, so a restarted agent knows which deliveries it
    /// had in flight, and an inbox shared by several agents knows whose they are. It must stay
    /// the same across restarts and differ between agents; the host name by default.
    public var agentID: String
    public var dataDirectory: String
    public var providersDirectory: String?
    public var http: HTTPSettings?
    public var worker: WorkerSettings
    public var sources: [SourceConfig]
    public var routes: [RouteConfig]
    /// Events whose deliveries are all done are deleted this long after they arrived; nil keeps
    /// everything. It is also the deduplication window: an event re-sent later is new.
    public var retain: Duration?
    /// A shared PostgreSQL inbox (`[inbox] url`); nil keeps the SQLite file in `data_dir`.
    public var sharedInbox: PostgresLocation?
    /// How long a silent agent keeps what it holds (`[inbox] failover`): its leases outlive a
    /// route's timeout by this much, and its poll leaderships expire after it. Shorter fails
    /// over sooner; too short hands work away from an agent that was only slow.
    public var failover: Duration

    /// `failover` when the file does not set it.
    public static let defaultFailover: Duration = .seconds(15)

    public init(
        file: String = "(memory)",
        agentID: String = AgentConfig.defaultAgentID,
        dataDirectory: String,
        providersDirectory: String? = nil,
        http: HTTPSettings? = HTTPSettings(),
        worker: WorkerSettings = WorkerSettings(),
        sources: [SourceConfig],
        routes: [RouteConfig],
        retain: Duration? = nil,
        sharedInbox: PostgresLocation? = nil,
        failover: Duration = AgentConfig.defaultFailover
    ) {
        self.file = file
        self.agentID = agentID
        self.dataDirectory = dataDirectory
        self.providersDirectory = providersDirectory
        self.http = http
        self.worker = worker
        self.sources = sources
        self.routes = routes
        self.retain = retain
        self.sharedInbox = sharedInbox
        self.failover = failover
    }

    /// Where the inbox database lives.
    public var databasePath: String {
        (dataDirectory as NSString).appendingPathComponent("inbox.sqlite")
    }

    /// The inbox this configuration names: the shared PostgreSQL database when `[inbox]` names
    /// one, the SQLite file in the data directory otherwise.
    public var inbox: InboxLocation { sharedInbox.map(InboxLocation.postgres) ?? .sqlite(path: databasePath) }

    /// The host name: stable across restarts, and different on each host of a fleet.
    public static var defaultAgentID: String { ProcessInfo.processInfo.hostName }

    public func source(named name: String) -> SourceConfig? {
        sources.first { $0.name == name }
    }

    /// Names of the routes that want an event; decided once, when the event is stored.
    /// The routes that want an event, with the order key of each route that orders by one.
    public func selectRoutes(source: String, type: String, document: EventDocument) -> RouteSelection {
        var selection = RouteSelection()
        for route in routes where route.selects(source: source, type: type) {
            selection.routes.append(route.name)
            if let key = route.orderBy?.render(document) { selection.orderKeys[route.name] = key }
        }
        return selection
    }

    /// The environment route commands inherit: the agent's, less every variable that a secret
    /// reference (`env:NAME`) reads, so a route cannot leak what it was never meant to see.
    public func environmentForRoutes(_ environment: [String: String]) -> [String: String] {
        let forwardSecrets = routes.compactMap { route -> SecretReference? in
            if case .forward(_, let secret) = route.action { return secret }
            return nil
        }
        let secretNames = (sources.flatMap { $0.webhookSecrets + [$0.apiKey].compactMap { $0 } } + forwardSecrets).compactMap { reference in
            if case .environment(let name) = reference { return name }
            return nil
        }
        return environment.filter { !secretNames.contains($0.key) }
    }

    /// Reads and validates a configuration file, reporting every problem at once.
    public static func load(path: String) throws(ConfigError) -> AgentConfig {
        let (config, issues) = try read(path: path)
        guard issues.isEmpty else { throw ConfigError(issues: issues) }
        return config
    }

    /// Reads a configuration file as far as it can: what it could read, and every problem it
    /// found, for a caller that checks more (``AgentSetup/load(path:environment:resolveSecrets:)``)
    /// to report everything in one run. Throws only when nothing can be read.
    static func read(path: String) throws(ConfigError) -> (AgentConfig, [ConfigIssue]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(issues: [
                ConfigIssue(file: path, key: "(file)", expected: "a readable configuration file (pass --config PATH)")
            ])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(issues: [ConfigIssue(file: path, key: "(file)", expected: "UTF-8 text")])
        }
        var base = (path as NSString).deletingLastPathComponent
        if !base.hasPrefix("/") {
            base = (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(base)
        }
        return try read(text, file: path, baseDirectory: (base as NSString).standardizingPath)
    }

    /// Parses configuration text; `baseDirectory` anchors relative paths.
    public static func parse(_ text: String, file: String, baseDirectory: String) throws(ConfigError) -> AgentConfig {
        let (config, issues) = try read(text, file: file, baseDirectory: baseDirectory)
        guard issues.isEmpty else { throw ConfigError(issues: issues) }
        return config
    }

    static func read(_ text: String, file: String, baseDirectory: String) throws(ConfigError) -> (AgentConfig, [ConfigIssue]) {
        let root = TOMLReader(table: try TOMLTable.parse(text, file: file), collector: ConfigIssueCollector(file: file))
        root.rejectUnknownKeys(["agent_id", "data_dir", "providers_dir", "retain", "http", "worker", "inbox", "sources", "routes"])

        func resolve(_ path: String) -> String {
            path.hasPrefix("/") ? path : ((baseDirectory as NSString).appendingPathComponent(path) as NSString).standardizingPath
        }
        let agentID = root.string("agent_id") ?? defaultAgentID
        if !AgentConfig.isValidAgentID(agentID) {
            root.collector.report(
                key: "agent_id",
                value: "\"\(agentID)\"",
                expected: "1 to 64 letters, digits, '.', '-', '_' or ':', unique to this agent"
            )
        }
        let dataDirectory = resolve(root.string("data_dir") ?? "./data")
        let providersDirectory = root.string("providers_dir").map(resolve)
        let http = root.table("http").map(readHTTP)
        let worker = root.table("worker").map(readWorker) ?? WorkerSettings()
        let retain = root.duration("retain")
        let inbox = root.table("inbox").map { readInbox($0, resolve: resolve) } ?? (location: nil, failover: defaultFailover)
        let sources = root.tables("sources").compactMap { readSource($0, resolve: resolve) }
        let routes = root.tables("routes").compactMap { readRoute($0, resolve: resolve) }.map { route in
            // A command written "./x" or "../x" is relative to the config file, like data_dir.
            guard case .exec(var command) = route.action, command[0].hasPrefix("./") || command[0].hasPrefix("../") else {
                return route
            }
            var resolved = route
            command[0] = resolve(command[0])
            resolved.action = .exec(command)
            return resolved
        }

        var seen = Set<String>()
        for (index, source) in sources.enumerated() where !seen.insert(source.name).inserted {
            root.collector.report(key: "sources[\(index)].name", value: "\"\(source.name)\"", expected: "a name no other source uses")
        }
        seen = []
        for (index, route) in routes.enumerated() {
            if !seen.insert(route.name).inserted {
                root.collector.report(key: "routes[\(index)].name", value: "\"\(route.name)\"", expected: "a name no other route uses")
            }
            if route.source != "*" && !sources.contains(where: { $0.name == route.source }) {
                root.collector.report(
                    key: "routes[\(index)].source",
                    value: "\"\(route.source)\"",
                    expected: "\"*\" or the name of a configured source (\(sources.map(\.name).joined(separator: ", ")))"
                )
            }
        }
        if http == nil, let source = sources.first(where: { $0.mode == .webhook }) {
            root.collector.report(
                key: "http",
                value: nil,
                expected: "an [http] table, because source \"\(source.name)\" has mode = \"webhook\" and needs a listener"
            )
        }
        let config = AgentConfig(
            file: file,
            agentID: agentID,
            dataDirectory: dataDirectory,
            providersDirectory: providersDirectory,
            http: http,
            worker: worker,
            sources: sources,
            routes: routes,
            retain: retain,
            sharedInbox: inbox.location,
            failover: inbox.failover
        )
        return (config, root.collector.issues)
    }

    /// Agent ids appear in leases, logs and `status`: short, printable, no spaces.
    static func isValidAgentID(_ id: String) -> Bool {
        (1...64).contains(id.count)
            && id.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || ".-_:".unicodeScalars.contains(scalar))
            }
    }

    private static func readHTTP(_ table: TOMLReader) -> HTTPSettings {
        table.rejectUnknownKeys(["listen", "max_body", "idle_timeout", "admin"])
        var settings = HTTPSettings()
        if let admin = table.string("admin") {
            settings.admin = HTTPSettings.parseListen(admin)
            if settings.admin == nil { table.report("admin", value: "\"\(admin)\"", expected: "host:port, such as \"127.0.0.1:8781\"") }
        }
        if let listen = table.string("listen") {
            if let (host, port) = HTTPSettings.parseListen(listen) {
                settings.host = host
                settings.port = port
            } else {
                table.report("listen", value: "\"\(listen)\"", expected: "host:port, such as \"127.0.0.1:8780\"")
            }
        }
        if let maxBody = table.byteSize("max_body") { settings.maxBody = maxBody }
        if let idle = table.duration("idle_timeout") {
            if idle >= .seconds(1) {
                settings.idleTimeout = idle
            } else {
                table.report("idle_timeout", value: "\"\(ConfigDuration.format(idle))\"", expected: "a duration of at least 1s")
            }
        }
        return settings
    }

    private static func readInbox(_ table: TOMLReader, resolve: (String) -> String) -> (location: PostgresLocation?, failover: Duration) {
        table.rejectUnknownKeys(["url", "password", "failover"])
        var failover = defaultFailover
        if let value = table.duration("failover") {
            if value >= .seconds(1) {
                failover = value
            } else {
                table.report("failover", value: "\"\(ConfigDuration.format(value))\"", expected: "a duration of at least 1s")
            }
        }
        var password: SecretReference?
        if let text = table.string("password", secret: true) {
            password = SecretReference(text)?.relative(to: resolve)
            if password == nil { table.report("password", value: "<hidden>", expected: SecretReference.expectation) }
        }
        guard let url = table.string("url", required: true) else { return (nil, failover) }
        switch PostgresLocation.parse(url) {
        case .success(var location):
            location.password = password
            location.sslRootCertificate = location.sslRootCertificate.map(resolve)
            return (location, failover)
        case .failure(let problem):
            table.report("url", value: "\"\(PostgresLocation.redacted(url))\"", expected: problem.expected)
            return (nil, failover)
        }
    }

    private static func readWorker(_ table: TOMLReader) -> WorkerSettings {
        table.rejectUnknownKeys(["concurrency", "idle_poll"])
        var settings = WorkerSettings()
        if let concurrency = table.int("concurrency", in: 1...1024) { settings.concurrency = concurrency }
        if let idlePoll = table.duration("idle_poll") { settings.idlePoll = idlePoll }
        return settings
    }

    /// A source's own keys; the polling ones are `PollingSettings.keys`.
    static let sourceKeys: Set<String> = [
        "name", "provider", "mode", "webhook_secret", "webhook_url", "webhook_id", "public_key", "verify_token", "api_key", "api_base",
        "client_id", "client_secret", "tolerance",
    ]

    private static func readSource(_ table: TOMLReader, resolve: (String) -> String) -> SourceConfig? {
        table.rejectUnknownKeys(Self.sourceKeys.union(PollingSettings.keys))
        let name = table.string("name", required: true)
        if let name, !isValidName(name) {
            table.report("name", value: "\"\(name)\"", expected: "letters, digits, '-' or '_' (it becomes part of the URL)")
        }
        let provider = table.string("provider", required: true)
        let mode: SourceMode = table.choice("mode") ?? .webhook
        var secrets: [SecretReference] = []
        for text in table.strings("webhook_secret", secret: true) ?? [] {
            if let reference = SecretReference(text) {
                secrets.append(reference.relative(to: resolve))
            } else {
                // The value may be a pasted secret: never echo it.
                table.report("webhook_secret", value: "<hidden>", expected: SecretReference.expectation)
            }
        }
        // Which key a webhook source needs (webhook_secret, public_key or none) depends on its
        // provider: AgentSetup checks it.
        let publicKeys = table.strings("public_key") ?? []
        var apiKey: SecretReference?
        if let text = table.string("api_key", secret: true) {
            apiKey = SecretReference(text)?.relative(to: resolve)
            if apiKey == nil { table.report("api_key", value: "<hidden>", expected: SecretReference.expectation) }
        }
        var clientSecret: SecretReference?
        if let text = table.string("client_secret", secret: true) {
            clientSecret = SecretReference(text)?.relative(to: resolve)
            if clientSecret == nil { table.report("client_secret", value: "<hidden>", expected: SecretReference.expectation) }
        }
        var verifyToken: SecretReference?
        if let text = table.string("verify_token", secret: true) {
            verifyToken = SecretReference(text)?.relative(to: resolve)
            if verifyToken == nil { table.report("verify_token", value: "<hidden>", expected: SecretReference.expectation) }
        }
        let apiBase = table.httpURL("api_base")
        let webhookURL = table.httpURL("webhook_url")
        let tolerance = table.duration("tolerance")
        guard let name, let provider else { return nil }
        var source = SourceConfig(
            name: name,
            provider: provider,
            mode: mode,
            webhookSecrets: secrets,
            webhookURL: webhookURL,
            webhookID: table.string("webhook_id"),
            apiKey: apiKey,
            publicKeys: publicKeys.map { SecretReference($0)?.relative(to: resolve).description ?? $0 },
            verifyToken: verifyToken,
            apiBase: apiBase,
            tolerance: tolerance,
            polling: PollingSettings(reading: table)
        )
        source.clientID = table.string("client_id")
        source.clientSecret = clientSecret
        return source
    }

    private static func readRoute(_ table: TOMLReader, resolve: (String) -> String) -> RouteConfig? {
        table.rejectUnknownKeys(
            ["name", "source", "events", "exec", "forward", "forward_secret", "timeout", "max_attempts", "backoff", "concurrency", "order_by"]
        )
        let name = table.string("name", required: true)
        let source = table.string("source") ?? "*"
        let events = (table.strings("events") ?? ["*"]).map(EventTypeGlob.init)
        if events.isEmpty { table.report("events", value: "[]", expected: "at least one event type pattern") }
        var action: RouteConfig.Action?
        let forwardSecret = table.string("forward_secret", secret: true)
        if table.contains("exec") && table.contains("forward") {
            table.report("forward", value: nil, expected: "either exec or forward in one route, not both")
        } else if let command = table.strings("exec") {
            if command.isEmpty || command[0].isEmpty {
                table.report("exec", value: "[]", expected: "a command and its arguments, such as [\"/usr/local/bin/on-event\", \"--live\"]")
            } else {
                action = .exec(command)
            }
        } else if let url = table.httpURL("forward") {
            if let text = forwardSecret, let reference = SecretReference(text) {
                action = .forward(url: url, secret: reference.relative(to: resolve))
            } else if forwardSecret == nil {
                table.report(
                    "forward_secret",
                    value: nil,
                    expected: "a Standard Webhooks secret (env:, file: or credential:) to sign forwarded events"
                )
            } else {
                table.report("forward_secret", value: "<hidden>", expected: SecretReference.expectation)
            }
        } else if !table.contains("forward") {
            table.report(
                "exec",
                value: nil,
                expected: "a command to run for each event (exec = [\"/path/to/program\"]) or a URL to forward it to (forward = \"http://…\")"
            )
        }
        let concurrency = table.int("concurrency", in: 1...1024)
        let orderBy = table.fieldRule("order_by", required: false)
        if let orderBy, orderBy.templates.contains(where: { !$0.hasPlaceholder }) {
            table.report(
                "order_by",
                value: "\"\(orderBy)\"",
                expected:
                    "a JSON pointer such as \"/data/object/customer\", or a template reading a header or a body field (plain text would be one key for every event)"
            )
        }
        let timeout = table.duration("timeout") ?? .seconds(30)
        let maxAttempts = table.int("max_attempts", in: 1...1000) ?? 8
        var backoff = RetrySchedule(base: .seconds(1), max: .seconds(3600))
        if let backoffTable = table.table("backoff") {
            backoffTable.rejectUnknownKeys(["base", "max"])
            if let base = backoffTable.duration("base") { backoff.base = base }
            if let max = backoffTable.duration("max") { backoff.max = max }
            if backoff.max < backoff.base {
                backoffTable.report(
                    "max",
                    value: "\"\(ConfigDuration.format(backoff.max))\"",
                    expected: "a duration no shorter than backoff.base (\(ConfigDuration.format(backoff.base)))"
                )
            }
        }
        guard let name, let action else { return nil }
        if !isValidName(name) {
            table.report("name", value: "\"\(name)\"", expected: "letters, digits, '-' or '_'")
        }
        return RouteConfig(
            name: name,
            source: source,
            events: events,
            action: action,
            timeout: timeout,
            maxAttempts: maxAttempts,
            backoff: backoff,
            concurrency: concurrency,
            orderBy: orderBy
        )
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
