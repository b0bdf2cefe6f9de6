import Foundation
import Testing

@testable import HookSync
@testable import HookSyncCore

@Suite struct ConfigTests {
    static let full = """
        data_dir = "./state"
        [http]
        listen = "127.0.0.1:9000"
        max_body = "64KiB"
        idle_timeout = "15s"

        [[sources]]
        name = "shop"
        provider = "stripe"
        mode = "hybrid"
        webhook_secret = ["env:NEW_SECRET", "file:/etc/old-secret", "file:secrets/stripe"]
        api_key = "env:STRIPE_API_KEY"
        api_base = "http://127.0.0.1:1234"

        [[routes]]
        name = "payments"
        source = "shop"
        events = ["payment_intent.*", "charge.refunded"]
        exec = ["./bin/on-payment", "--live"]
        timeout = "30s"
        max_attempts = 8
        backoff = { base = "1s", max = "1h" }
        """

    static var empty: EventDocument { EventDocument(body: [String: Any]()) }

    @Test func parsesEveryDocumentedKey() throws {
        let config = try AgentConfig.parse(Self.full, file: "hooksync.toml", baseDirectory: "/srv/hooksync")
        #expect(config.dataDirectory == "/srv/hooksync/state")
        #expect(config.databasePath == "/srv/hooksync/state/inbox.sqlite")
        #expect(config.http?.host == "127.0.0.1")
        #expect(config.http?.port == 9000)
        #expect(config.http?.maxBody == 65536)
        #expect(config.http?.idleTimeout == .seconds(15))
        #expect(try AgentConfig.parse("[http]\n", file: "a.toml", baseDirectory: "/srv").http?.idleTimeout == .seconds(60))
        let tooShort = try #require(throws: ConfigError.self) {
            try AgentConfig.parse("[http]\nidle_timeout = \"500ms\"\n", file: "a.toml", baseDirectory: "/srv")
        }
        #expect(tooShort.issues.map(\.key) == ["http.idle_timeout"])
        let source = try #require(config.sources.first)
        #expect(source.mode == .hybrid)
        #expect(source.webhookSecrets == [.environment("NEW_SECRET"), .file("/etc/old-secret"), .file("/srv/hooksync/secrets/stripe")])
        #expect(source.apiKey == .environment("STRIPE_API_KEY"))
        let route = try #require(config.routes.first)
        #expect(route.action == .exec(["/srv/hooksync/bin/on-payment", "--live"]))
        #expect(route.timeout == .seconds(30))
        #expect(route.maxAttempts == 8)
        #expect(route.backoff == RetrySchedule(base: .seconds(1), max: .seconds(3600)))
        #expect(config.selectRoutes(source: "shop", type: "payment_intent.succeeded", document: Self.empty).routes == ["payments"])
        #expect(config.selectRoutes(source: "shop", type: "charge.refunded", document: Self.empty).routes == ["payments"])
        #expect(config.selectRoutes(source: "shop", type: "charge.captured", document: Self.empty).routes == [])
        #expect(config.selectRoutes(source: "other", type: "charge.refunded", document: Self.empty).routes == [])
    }

    /// The keys this issue's providers need, read from a file as an operator writes them:
    /// secret references relative to the file, public keys as published or by reference.
    @Test func providerSpecificSourceKeysAreRead() throws {
        let text = """
            [http]
            listen = "127.0.0.1:9000"

            [[sources]]
            name = "pp"
            provider = "paypal"
            mode = "hybrid"
            webhook_id = "1JE4291016473214C"
            client_id = "AeA1QIZXiflr1"
            client_secret = "file:secrets/paypal"

            [[sources]]
            name = "fb"
            provider = "meta"
            webhook_secret = "env:META_APP_SECRET"
            verify_token = "env:META_VERIFY_TOKEN"

            [[sources]]
            name = "discord"
            provider = "discord"
            public_key = ["03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8", "file:keys/discord.pub"]
            """
        let config = try AgentConfig.parse(text, file: "hooksync.toml", baseDirectory: "/srv/hooksync")
        let paypal = config.sources[0]
        #expect(paypal.webhookID == "1JE4291016473214C")
        #expect(paypal.clientID == "AeA1QIZXiflr1")
        #expect(paypal.clientSecret == .file("/srv/hooksync/secrets/paypal"))
        #expect(config.sources[1].verifyToken == .environment("META_VERIFY_TOKEN"))
        #expect(
            config.sources[2].publicKeys == [
                "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8", "file:/srv/hooksync/keys/discord.pub",
            ]
        )
    }

    @Test func agentIDDefaultsToTheHostNameAndIsChecked() throws {
        let base = "data_dir = \"./data\"\n"
        #expect(try AgentConfig.parse(base, file: "a.toml", baseDirectory: "/srv").agentID == ProcessInfo.processInfo.hostName)
        #expect(try AgentConfig.parse("agent_id = \"node-a.eu_1:2\"\n" + base, file: "a.toml", baseDirectory: "/srv").agentID == "node-a.eu_1:2")
        for bad in ["", "node a", String(repeating: "n", count: 65), "nœud"] {
            let error = try #require(throws: ConfigError.self) {
                try AgentConfig.parse("agent_id = \"\(bad)\"\n" + base, file: "a.toml", baseDirectory: "/srv")
            }
            #expect(error.issues.map(\.key) == ["agent_id"], "\(bad)")
            #expect(error.description.contains("unique to this agent"))
        }
    }

    @Test func inboxTableNamesASharedPostgreSQLInbox() throws {
        let base = "data_dir = \"./data\"\n"
        let sqlite = try AgentConfig.parse(base, file: "a.toml", baseDirectory: "/srv")
        #expect(sqlite.inbox == .sqlite(path: "/srv/data/inbox.sqlite"), "no [inbox]: the SQLite file, as before")
        #expect(sqlite.failover == .seconds(15))

        let shared = try AgentConfig.parse(
            base + """
                [inbox]
                url = "postgresql://hooksync@db.internal:5433/events?sslmode=verify-full&sslrootcert=ca.pem"
                password = "file:pg-password"
                failover = "20s"
                """,
            file: "a.toml",
            baseDirectory: "/srv"
        )
        let expected = PostgresLocation(
            endpoint: .tcp(host: "db.internal", port: 5433),
            user: "hooksync",
            database: "events",
            sslMode: .verifyFull,
            sslRootCertificate: "/srv/ca.pem",
            password: .file("/srv/pg-password")
        )
        #expect(shared.inbox == .postgres(expected))
        #expect(shared.failover == .seconds(20))
        #expect(shared.inbox.description == "postgresql://hooksync@db.internal:5433/events", "no secret, no parameters")
    }

    @Test func postgresURLsAreReadAsLibpqReadsThem() throws {
        func parse(_ url: String) throws -> PostgresLocation { try PostgresLocation.parse(url, systemUser: "ops").get() }
        #expect(try parse("postgres://db/hooksync") == PostgresLocation(endpoint: .tcp(host: "db", port: 5432), user: "ops", database: "hooksync"))
        #expect(try parse("postgresql://app@[::1]:6000").endpoint == .tcp(host: "::1", port: 6000))
        #expect(try parse("postgresql://app@[::1]:6000").database == "app", "the database defaults to the user's name")
        #expect(try parse("postgresql:///hooksync").endpoint == .socket(path: "/run/postgresql/.s.PGSQL.5432"))
        #expect(try parse("postgresql:///hooksync?host=/tmp&port=5433").endpoint == .socket(path: "/tmp/.s.PGSQL.5433"))
        #expect(try parse("postgresql://a%40b@db/my%20db").user == "a@b")
        #expect(try parse("postgresql://a%40b@db/my%20db").database == "my db")
        #expect(try parse("postgresql://db/x?connect_timeout=3").connectTimeout == .seconds(3))
        for mode in PostgresLocation.SSLMode.allCases {
            #expect(try parse("postgresql://db/x?sslmode=\(mode.rawValue)").sslMode == mode)
        }
        #expect(try parse("postgresql://db/x").sslMode == .prefer, "libpq's default")
        for bad in [
            "mysql://db/x", "db:5432/x", "postgresql://db/x?sslmode=allow", "postgresql://db/x?sslmode=strict",
            "postgresql://db/x?options=-c", "postgresql://db:99999/x", "postgresql://db/a/b",
        ] {
            #expect(throws: PostgresLocation.URLProblem.self, "\(bad)") { try PostgresLocation.parse(bad, systemUser: "ops").get() }
        }
    }

    @Test func inboxProblemsAreReportedTogetherWithoutThePassword() throws {
        let error = try #require(throws: ConfigError.self) {
            try AgentConfig.parse(
                """
                [inbox]
                url = "postgresql://hooksync:hunter2@db/hooksync?sslmode=verify"
                password = "hunter2"
                failover = "100ms"
                pool = 3
                """,
                file: "a.toml",
                baseDirectory: "/srv"
            )
        }
        #expect(error.issues.map(\.key).sorted() == ["inbox.failover", "inbox.password", "inbox.pool", "inbox.url"])
        #expect(!error.description.contains("hunter2"), "a password never reaches the message")
        #expect(error.description.contains("[inbox] password as a secret reference"))
        #expect(
            try #require(throws: ConfigError.self) { try AgentConfig.parse("[inbox]\nfailover = \"5s\"\n", file: "a.toml", baseDirectory: "/") }
                .issues.map(\.key) == ["inbox.url"]
        )
    }

    @Test func reportsEveryProblemWithFileKeyValueAndExpectation() throws {
        let text = """
            data_dir = "./data"
            [http]
            listen = "nowhere"
            [[sources]]
            name = "shop"
            provider = "stripe"
            mode = "push"
            webhook_secret = "whsec_pasted_secret_value"
            [[routes]]
            name = "r"
            source = "missing"
            exec = ["/bin/true"]
            timeout = "30 seconds"
            max_attempts = 0
            backof = { base = "1s" }
            """
        let error = try #require(throws: ConfigError.self) {
            try AgentConfig.parse(text, file: "/etc/hooksync/hooksync.toml", baseDirectory: "/etc/hooksync")
        }
        let keys = Set(error.issues.map(\.key))
        #expect(
            keys == [
                "http.listen", "sources[0].mode", "sources[0].webhook_secret", "routes[0].timeout", "routes[0].max_attempts",
                "routes[0].backof", "routes[0].source",
            ]
        )
        #expect(error.issues.allSatisfy { $0.file == "/etc/hooksync/hooksync.toml" })
        let timeout = try #require(error.issues.first { $0.key == "routes[0].timeout" })
        #expect(timeout.description == "/etc/hooksync/hooksync.toml: routes[0].timeout = \"30 seconds\": expected \(ConfigDuration.expectation)")
        // A value that may be a pasted secret is never echoed.
        #expect(!error.description.contains("whsec_pasted_secret_value"))
    }

    @Test func routesDoNotInheritSecretVariables() throws {
        let config = try AgentConfig.parse(Self.full, file: "hooksync.toml", baseDirectory: "/srv")
        let environment = config.environmentForRoutes(["PATH": "/bin", "NEW_SECRET": "s1", "STRIPE_API_KEY": "k", "HOME": "/root"])
        #expect(environment == ["PATH": "/bin", "HOME": "/root"])
    }

    @Test func syntaxErrorNamesTheLine() throws {
        let error = try #require(throws: ConfigError.self) {
            try AgentConfig.parse("data_dir = \"x\"\n[http\n", file: "bad.toml", baseDirectory: "/")
        }
        #expect(error.issues.count == 1)
        #expect(error.issues[0].file == "bad.toml")
        #expect(error.issues[0].key.hasPrefix("line 2"))
    }

    @Test func webhookSourceNeedsSecretAndListener() throws {
        let error = try #require(throws: ConfigError.self) {
            try AgentConfig.parse("[[sources]]\nname = \"a\"\nprovider = \"stripe\"\n", file: "f.toml", baseDirectory: "/")
        }
        #expect(Set(error.issues.map(\.key)) == ["http"])
        // Which key verifies a source's webhooks depends on its provider: the setup says.
        let config = try AgentConfig.parse(
            "[http]\nlisten = \"127.0.0.1:8080\"\n[[sources]]\nname = \"a\"\nprovider = \"stripe\"\n",
            file: "f.toml",
            baseDirectory: "/"
        )
        let setup = try #require(throws: ConfigError.self) { try AgentSetup.prepare(config: config, environment: [:]) }
        #expect(setup.issues.map(\.key) == ["sources[0].webhook_secret"])
    }

    @Test func pollOnlyHostNeedsNoListener() throws {
        let config = try AgentConfig.parse(
            "[[sources]]\nname = \"a\"\nprovider = \"stripe\"\nmode = \"poll\"\napi_key = \"env:K\"\n",
            file: "f.toml",
            baseDirectory: "/"
        )
        #expect(config.http == nil)
    }

    @Test func listenAddresses() {
        #expect(HTTPSettings.parseListen("127.0.0.1:8780")! == ("127.0.0.1", 8780))
        #expect(HTTPSettings.parseListen("[::1]:9000")! == ("::1", 9000))
        #expect(HTTPSettings.parseListen(":8080")! == ("0.0.0.0", 8080))
        #expect(HTTPSettings.parseListen("localhost") == nil)
        #expect(HTTPSettings.parseListen("host:70000") == nil)
    }

    @Test func durations() {
        #expect(ConfigDuration.parse("250ms") == .milliseconds(250))
        #expect(ConfigDuration.parse("30s") == .seconds(30))
        #expect(ConfigDuration.parse("5m") == .seconds(300))
        #expect(ConfigDuration.parse("1h") == .seconds(3600))
        #expect(ConfigDuration.parse("7d") == .seconds(7 * 86400))
        #expect(ConfigDuration.parse("1.5s") == .milliseconds(1500))
        for bad in ["", "30", "s", "5 min", "-1s", "1w", "abc"] {
            #expect(ConfigDuration.parse(bad) == nil, "\(bad)")
        }
        #expect(ConfigDuration.format(.seconds(3600)) == "1h")
        #expect(ConfigDuration.format(.milliseconds(1500)) == "1500ms")
    }

    @Test func byteSizes() {
        #expect(ByteSize.parse("1MiB") == 1_048_576)
        #expect(ByteSize.parse("512KiB") == 524_288)
        #expect(ByteSize.parse("2MB") == 2_000_000)
        #expect(ByteSize.parse("100") == 100)
        #expect(ByteSize.parse("1.5MiB") == nil)
        #expect(ByteSize.parse("lots") == nil)
    }

    @Test func secretReferencesResolveFromEnvironmentFileAndCredentials() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("secret", "from-file\n")
        _ = try directory.write("stripe", "from-credential")
        #expect(try SecretReference("env:S")?.resolve(environment: ["S": "from-env"]).value == "from-env")
        #expect(try SecretReference("file:\(file)")?.resolve(environment: [:]).value == "from-file")
        #expect(
            try SecretReference("credential:stripe")?.resolve(environment: ["CREDENTIALS_DIRECTORY": directory.path]).value
                == "from-credential"
        )
        #expect(SecretReference("whsec_abc") == nil)
        #expect(SecretReference("env:") == nil)
        let missing = try #require(throws: SecretError.self) { try SecretReference.environment("NOPE").resolve(environment: [:]) }
        #expect(missing.description == "secret env:NOPE: environment variable NOPE is not set or empty")
        #expect("\(Secret("hunter2"))" == "<secret>")
    }

    @Test func exampleConfigurationChecksClean() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let config = try AgentConfig.load(path: root.appendingPathComponent("hooksync.example.toml").path)
        let setup = try AgentSetup.prepare(config: config, environment: [:])
        #expect(Set(setup.sources.keys) == ["shop", "app"])
        #expect(setup.sources.values.allSatisfy { !$0.secrets.isEmpty })
    }

    @Test func unknownProviderAndUnreadableSecretAreReported() throws {
        let config = try AgentConfig.parse(
            """
            [http]
            [[sources]]
            name = "a"
            provider = "nope"
            webhook_secret = "env:A"
            [[sources]]
            name = "b"
            provider = "standard-webhooks"
            webhook_secret = "env:B"
            """,
            file: "f.toml",
            baseDirectory: "/"
        )
        let error = try #require(throws: ConfigError.self) {
            try AgentSetup.prepare(config: config, environment: ["B": "whsec_%%%not-base64"])
        }
        #expect(error.issues.map(\.key) == ["sources[0].provider", "sources[1].webhook_secret"])
        #expect(error.issues[0].expected.contains("stripe"))
        #expect(!error.description.contains("%%%not-base64"))
    }

    @Test func pollingKeysAreReadAndCheckedAgainstTheProvider() throws {
        let text = """
            [[sources]]
            name = "gh"
            provider = "github"
            mode = "poll"
            api_key = "env:GH_TOKEN"
            poll = "*/10 * * * *"
            backfill = "3d"
            grace = "5m"
            silence = "2h"
            fallback_poll = "20s"
            recover_after = 4
            repo = "octocat/Hello-World"
            hook_id = 292430182
            redeliver = true
            """
        let config = try AgentConfig.parse(text, file: "f.toml", baseDirectory: "/")
        let polling = config.sources[0].polling
        #expect(polling.schedule?.description == "*/10 * * * *")
        #expect(polling.backfill == .seconds(3 * 86400))
        #expect(polling.grace == .seconds(300))
        #expect(polling.silence == .seconds(7200))
        #expect(polling.fallbackPoll == .seconds(20))
        #expect(polling.recoverAfter == 4)
        #expect(polling.hookID == "292430182")
        #expect(polling.redeliver)
        let setup = try AgentSetup.prepare(config: config, environment: ["GH_TOKEN": "ghp_x"])
        #expect(setup.sources["gh"]?.feed is GitHubDeliveryFeed)
        #expect(PollingSettings().effectiveSchedule(mode: .hybrid)?.description == "every 15m")
        #expect(PollingSettings().effectiveSchedule(mode: .poll)?.description == "every 1m")
        #expect(PollingSettings().effectiveSchedule(mode: .webhook) == nil)

        let bad = try #require(throws: ConfigError.self) {
            try AgentConfig.parse(
                "[[sources]]\nname = \"a\"\nprovider = \"stripe\"\nmode = \"poll\"\npoll = \"* * *\"\nrepo = \"nope\"\n",
                file: "f.toml",
                baseDirectory: "/"
            )
        }
        #expect(Set(bad.issues.map(\.key)) == ["sources[0].poll", "sources[0].repo"])

        let unpollable = try AgentConfig.parse(
            """
            [[sources]]
            name = "s"
            provider = "slack"
            mode = "poll"
            [[sources]]
            name = "g"
            provider = "github"
            mode = "poll"
            api_key = "env:GH_TOKEN"
            [[sources]]
            name = "p"
            provider = "stripe"
            mode = "hybrid"
            webhook_secret = "env:GH_TOKEN"
            """,
            file: "f.toml",
            baseDirectory: "/"
        )
        let issues = try #require(throws: ConfigError.self) { try AgentSetup.prepare(config: unpollable, environment: ["GH_TOKEN": "x"]) }.issues
        #expect(issues.map(\.key).sorted() == ["sources[0].mode", "sources[1].hook_id", "sources[2].api_key"])
        #expect(issues.first { $0.key == "sources[0].mode" }?.description.contains("slack has no event API to poll") == true)
    }

    @Test func forwardRoutesOrderingConcurrencyAndRetention() throws {
        let text = """
            retain = "30d"
            [[sources]]
            name = "shop"
            provider = "stripe"
            mode = "poll"
            api_key = "env:K"
            [[routes]]
            name = "app"
            forward = "http://127.0.0.1:3000/hooks"
            forward_secret = "env:FORWARD_SECRET"
            concurrency = 4
            order_by = "/data/object/customer"
            """
        let config = try AgentConfig.parse(text, file: "f.toml", baseDirectory: "/")
        #expect(config.retain == .seconds(30 * 86400))
        let route = config.routes[0]
        #expect(route.action == .forward(url: "http://127.0.0.1:3000/hooks", secret: .environment("FORWARD_SECRET")))
        #expect(route.concurrency == 4)
        #expect(route.orderBy?.description == "/data/object/customer")
        #expect(config.environmentForRoutes(["FORWARD_SECRET": "x", "PATH": "/bin"]) == ["PATH": "/bin"], "routes never see the forward secret")
        let setup = try AgentSetup.prepare(
            config: config,
            environment: ["K": "sk", "FORWARD_SECRET": "whsec_" + Data(repeating: 1, count: 32).base64EncodedString()]
        )
        #expect(setup.forwardSecrets["app"] != nil)
        let bad = try #require(throws: ConfigError.self) {
            try AgentSetup.prepare(config: config, environment: ["K": "sk", "FORWARD_SECRET": "whsec_!!"])
        }
        #expect(bad.issues.map(\.key) == ["routes[0].forward_secret"])

        let broken = try #require(throws: ConfigError.self) {
            try AgentConfig.parse(
                "[[routes]]\nname = \"a\"\nforward = \"http://x/\"\n[[routes]]\nname = \"b\"\nexec = [\"x\"]\nforward = \"http://x/\"\nforward_secret = \"env:S\"\n",
                file: "f.toml",
                baseDirectory: "/"
            )
        }
        #expect(broken.issues.map(\.key) == ["routes[0].forward_secret", "routes[1].forward"])
    }
}
