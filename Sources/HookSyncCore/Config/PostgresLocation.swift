public import Foundation

/// A PostgreSQL inbox, as `[inbox] url` names it: where the server is, who connects, and how
/// the connection is protected, read the way libpq reads a connection URI so that a URL an
/// operator already uses with `psql` means the same here.
///
/// The password is never part of the URL: it is a ``SecretReference`` (`[inbox] password`),
/// so the configuration file can be shared and printed without leaking it.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// How the connection is encrypted and what is verified, as libpq's `sslmode`.
    public enum SSLMode: String, Sendable, CaseIterable {
        /// Plain TCP only.
        case disable
        /// TLS when the server offers it, plain otherwise (libpq's default).
        case prefer
        /// TLS, without checking the server's certificate.
        case require
        /// TLS with a certificate signed by a trusted authority, whatever host it names.
        case verifyCA = "verify-ca"
        /// TLS with a trusted certificate for the host in the URL: what a network you do not
        /// own calls for.
        case verifyFull = "verify-full"
    }

    /// Where the server listens.
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        /// A Unix socket file, as `?host=/run/postgresql` or a URL without a host names it.
        case socket(path: String)
    }

    public var endpoint: Endpoint
    public var user: String
    public var database: String
    public var sslMode: SSLMode
    /// A file of trusted authorities (`sslrootcert`) instead of the system's.
    public var sslRootCertificate: String?
    public var connectTimeout: Duration?
    public var password: SecretReference?

    public init(
        endpoint: Endpoint,
        user: String,
        database: String,
        sslMode: SSLMode = .prefer,
        sslRootCertificate: String? = nil,
        connectTimeout: Duration? = nil,
        password: SecretReference? = nil
    ) {
        self.endpoint = endpoint
        self.user = user
        self.database = database
        self.sslMode = sslMode
        self.sslRootCertificate = sslRootCertificate
        self.connectTimeout = connectTimeout
        self.password = password
    }

    /// The URL without secrets, for logs, `status` and error messages.
    public var description: String {
        switch endpoint {
        case .tcp(let host, let port):
            let shown = host.contains(":") ? "[\(host)]" : host
            return "postgresql://\(user)@\(shown):\(port)/\(database)"
        case .socket(let path):
            return "postgresql://\(user)@/\(database)?host=\((path as NSString).deletingLastPathComponent)"
        }
    }

    /// What a URL problem tells the operator: the expected form.
    public static let expectation =
        "a URL such as \"postgresql://hooksync@db.internal:5432/hooksync?sslmode=verify-full\" (scheme postgresql:// or postgres://)"

    /// The query parameters understood, as libpq names them.
    static let knownParameters = ["sslmode", "sslrootcert", "connect_timeout", "host", "port", "user", "dbname"]

    /// Why a URL cannot be used, in words for the config error.
    public struct URLProblem: Error, Sendable, Equatable {
        public var expected: String
    }

    /// Reads a `postgresql://` or `postgres://` URL. Omitted parts take libpq's defaults: port
    /// 5432, the system user, a database named after the user, and the Unix socket in
    /// `/run/postgresql` when no host is given.
    public static func parse(_ text: String, systemUser: String = NSUserName()) -> Result<PostgresLocation, URLProblem> {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "postgresql" || scheme == "postgres"
        else {
            return .failure(URLProblem(expected: expectation))
        }
        if components.password != nil {
            return .failure(
                URLProblem(
                    expected:
                        "a URL without a password: put it in [inbox] password as a secret reference (\"env:NAME\", \"file:/path\" or \"credential:NAME\")"
                )
            )
        }
        var parameters: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard Self.knownParameters.contains(item.name), let value = item.value, !value.isEmpty else {
                return .failure(
                    URLProblem(expected: "query parameters among \(knownParameters.joined(separator: ", ")), each with a value; not \"\(item.name)\"")
                )
            }
            parameters[item.name] = value
        }
        let user = parameters["user"] ?? components.percentEncodedUser?.removingPercentEncoding ?? systemUser
        let path = components.percentEncodedPath.removingPercentEncoding ?? ""
        let database = parameters["dbname"] ?? (path.hasPrefix("/") ? String(path.dropFirst()) : path)
        guard !user.isEmpty else { return .failure(URLProblem(expected: "a user name before the host (postgresql://USER@host/db)")) }
        guard !database.contains("/") else { return .failure(URLProblem(expected: "one database name after the host, not \"\(database)\"")) }

        var port = components.port ?? 5432
        if let text = parameters["port"] {
            guard let value = Int(text) else { return .failure(URLProblem(expected: "a port number, not \"\(text)\"")) }
            port = value
        }
        guard (1...65535).contains(port) else { return .failure(URLProblem(expected: "a port between 1 and 65535, not \(port)")) }

        let endpoint: Endpoint
        let host = parameters["host"] ?? components.host.flatMap { $0.isEmpty ? nil : $0 }
        if let host, !host.hasPrefix("/") {
            endpoint = .tcp(host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: port)
        } else {
            endpoint = .socket(path: ((host ?? "/run/postgresql") as NSString).appendingPathComponent(".s.PGSQL.\(port)"))
        }

        var sslMode = SSLMode.prefer
        if let mode = parameters["sslmode"] {
            guard let parsed = SSLMode(rawValue: mode) else {
                return .failure(
                    URLProblem(expected: "sslmode one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(mode)\"")
                )
            }
            sslMode = parsed
        }
        var timeout: Duration?
        if let text = parameters["connect_timeout"] {
            guard let seconds = Int(text), seconds >= 0 else {
                return .failure(URLProblem(expected: "connect_timeout in whole seconds, not \"\(text)\""))
            }
            // libpq treats 0 as "wait forever"; so do we, by setting none.
            timeout = seconds == 0 ? nil : .seconds(seconds)
        }
        return .success(
            PostgresLocation(
                endpoint: endpoint,
                user: user,
                database: database.isEmpty ? user : database,
                sslMode: sslMode,
                sslRootCertificate: parameters["sslrootcert"],
                connectTimeout: timeout
            )
        )
    }

    /// The URL as it may appear in a message: any password replaced, so a mistaken URL with a
    /// password in it never reaches a log or a terminal.
    public static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? "<a URL with a password>"
    }
}
