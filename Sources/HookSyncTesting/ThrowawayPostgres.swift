import Foundation
public import HookSyncCore

/// A throwaway PostgreSQL server for the tests and the bench: Debian's `postgresql` binaries, a
/// cluster made by `initdb` in a temporary directory, listening on loopback on a free port,
/// started on first use and stopped when the process that started it ends, however it ends.
///
/// The server refuses to run as root, so as root every server command runs as the `postgres`
/// user through `runuser`. Connections over TCP need the password (SCRAM), so a test can see
/// an authentication failure; the password reaches the agent as a `file:` secret reference.
public actor ThrowawayPostgres {
    /// One server for a whole test process; ``init()`` makes a private one to stop and restart.
    public static let shared = ThrowawayPostgres()

    public init() {}

    public struct Server: Sendable {
        public let directory: String
        public let port: Int
        /// Where `psql`, `pgbench` and the server tools are.
        public let binaries: String
        public let passwordFile: String

        public var dataDirectory: String { (directory as NSString).appendingPathComponent("data") }
        public var logFile: String { (directory as NSString).appendingPathComponent("server.log") }
    }

    public static let user = "hooksync"
    public static let password = "throwaway-\(UUID().uuidString.prefix(8))"

    private var server: Task<Server, any Error>?
    private var databases = 0

    /// A new, empty database on the shared server, and where it is.
    public func newDatabase() async throws -> PostgresLocation {
        let server = try await running()
        databases += 1
        let name = "scratch_\(ProcessInfo.processInfo.processIdentifier)_\(databases)"
        try await Self.run(
            "\(server.binaries)/createdb",
            ["-h", "127.0.0.1", "-p", "\(server.port)", "-U", Self.user, name],
            environment: ["PGPASSWORD": Self.password]
        )
        return try await location(database: name)
    }

    /// Runs SQL in `database` with `psql`, as an operator would; returns what it printed
    /// (unaligned, tuples only).
    public func psql(_ database: String, _ sql: String) async throws -> String {
        let server = try await running()
        return try await Self.run(
            "\(server.binaries)/psql",
            ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", "\(server.port)", "-U", Self.user, "-d", database, "-c", sql],
            environment: ["PGPASSWORD": Self.password]
        ).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `pgbench` against `database` with `arguments` (a script, clients, duration) and
    /// returns its report.
    public func pgbench(_ database: String, _ arguments: [String]) async throws -> String {
        let server = try await running()
        return try await Self.run(
            "\(server.binaries)/pgbench",
            ["-h", "127.0.0.1", "-p", "\(server.port)", "-U", Self.user] + arguments + [database],
            environment: ["PGPASSWORD": Self.password]
        )
    }

    /// A location on the server with the test password, for a database that may not exist.
    public func location(database: String) async throws -> PostgresLocation {
        let server = try await running()
        return PostgresLocation(
            endpoint: .tcp(host: "127.0.0.1", port: server.port),
            user: Self.user,
            database: database,
            sslMode: .disable,
            // The whole test suite opens inboxes on this one server at once, on 2 cores: a
            // connection may wait longer than an operator's default 10 s to be accepted.
            connectTimeout: .seconds(60),
            password: .file(server.passwordFile)
        )
    }

    /// The `[inbox]` table of an agent's configuration for `location` on a throwaway server:
    /// its URL and the password file as a secret reference, then `extra` lines.
    public static func inboxTable(_ location: PostgresLocation, extra: String = "") throws -> String {
        guard case .file(let passwordFile) = location.password else {
            throw SubprocessError("a throwaway server's location holds its password file")
        }
        return """
            [inbox]
            url = "\(try url(location))"
            password = "file:\(passwordFile)"
            \(extra)
            """
    }

    /// `postgresql://user@host:port/database?sslmode=disable`, as an operator writes it.
    public static func url(_ location: PostgresLocation) throws -> String {
        guard case .tcp(let host, let port) = location.endpoint else {
            throw SubprocessError("a throwaway server listens on TCP")
        }
        return "postgresql://\(location.user)@\(host):\(port)/\(location.database)?sslmode=disable"
    }

    /// The running server, started on first use.
    public func running() async throws -> Server {
        // One start, however many tests ask at once: the actor is reentrant across the await.
        if let server { return try await server.value }
        let starting = Task { try await Self.start() }
        server = starting
        return try await starting.value
    }

    /// Stops the server (as a crash would, with `immediate`) and starts it again on the same
    /// port and data: what a database restart under load looks like to the agents.
    public func restart(downFor pause: Duration = .zero) async throws {
        let server = try await running()
        try await Self.serverCommand(server, ["\(server.binaries)/pg_ctl", "stop", "-D", server.dataDirectory, "-m", "immediate", "-w"])
        if pause > .zero { try await Task.sleep(for: pause) }
        try await Self.startServer(server)
    }

    /// Stops the server until ``resume()``: the database unreachable.
    public func stop() async throws {
        let server = try await running()
        try await Self.serverCommand(server, ["\(server.binaries)/pg_ctl", "stop", "-D", server.dataDirectory, "-m", "immediate", "-w"])
    }

    public func resume() async throws {
        try await Self.startServer(try await running())
    }

    // MARK: Starting and stopping

    private static var isRoot: Bool { getuid() == 0 }

    /// Root only inside a user namespace (`unshare --map-root-user`): there is no `postgres`
    /// user to switch to, and the server refuses the mapped root.
    private static var isNamespacedRoot: Bool {
        guard isRoot, let map = try? String(contentsOfFile: "/proc/self/uid_map", encoding: .utf8) else { return false }
        return map.split(whereSeparator: \.isWhitespace).prefix(3) != ["0", "0", "4294967295"]
    }

    private static func start() async throws -> Server {
        guard let binaries = findBinaries() else {
            throw SubprocessError(
                "PostgreSQL's server binaries were not found under /usr/lib/postgresql: `make test` installs Debian's postgresql package"
            )
        }
        guard !isNamespacedRoot else {
            throw SubprocessError(
                "PostgreSQL refuses to run as root, and this process is root only inside a user namespace, where it cannot become the postgres user: run it as a normal user or as the real root"
            )
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hooksync-pg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let passwordFile = (directory as NSString).appendingPathComponent("password")
        try password.write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let server = Server(directory: directory, port: try freeLoopbackPort(), binaries: binaries, passwordFile: passwordFile)
        if isRoot { try await run("/bin/chown", ["-R", "postgres:postgres", directory]) }
        try await serverCommand(
            server,
            [
                "\(binaries)/initdb", "-D", server.dataDirectory, "-U", user, "--pwfile=\(passwordFile)",
                "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-instructions",
            ]
        )
        try watchdog(server)
        try await startServer(server)
        return server
    }

    private static func startServer(_ server: Server) async throws {
        let options = [
            "-p \(server.port)", "-k \(server.directory)", "-c listen_addresses=127.0.0.1", "-c max_connections=400",
            "-c shared_buffers=64MB",
        ]
        try await serverCommand(
            server,
            [
                "\(server.binaries)/pg_ctl", "start", "-D", server.dataDirectory, "-l", server.logFile, "-w", "-t", "60", "-o",
                options.joined(separator: " "),
            ]
        )
    }

    /// A shell that outlives nothing: it waits for this test process to end, then stops the
    /// server and removes its files, so no server survives the run, even a crashed one.
    private static func watchdog(_ server: Server) throws {
        let script = """
            while kill -0 \(ProcessInfo.processInfo.processIdentifier) 2>/dev/null; do sleep 1; done
            \(isRoot ? "runuser -u postgres -- " : "")\(server.binaries)/pg_ctl stop -D \(server.dataDirectory) -m immediate >/dev/null 2>&1
            rm -rf \(server.directory)
            """
        try Subprocess.detach("/bin/sh", ["-c", script])
    }

    private static func findBinaries() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.compactMap(Int.init).sorted(by: >).map { "\(root)/\($0)/bin" }
            .first { FileManager.default.isExecutableFile(atPath: "\($0)/pg_ctl") }
    }

    /// Runs a server command as the `postgres` user when the tests run as root.
    private static func serverCommand(_ server: Server, _ command: [String]) async throws {
        if isRoot {
            try await run("/usr/sbin/runuser", ["-u", "postgres", "--"] + command)
        } else {
            try await run(command[0], Array(command.dropFirst()))
        }
    }

    /// Runs a command to its end and returns what it printed. Its output goes to a file, not a
    /// pipe: a server it starts would hold a pipe open and a read would never end.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("hooksync-pg-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let status = try await Subprocess.run(executable, arguments, environment: environment, output: output)
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw SubprocessError("\(executable) \(arguments.joined(separator: " ")) exited with \(status): \(text)")
        }
        return text
    }
}
