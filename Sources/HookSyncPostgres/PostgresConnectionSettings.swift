import HookSyncCore
import NIOSSL
import PostgresNIO

/// How a ``PostgresLocation`` becomes postgres-nio's client and connection settings: the
/// endpoint, the credentials, and `sslmode` mapped onto NIOSSL the way libpq reads it.
struct PostgresConnectionSettings: Sendable {
    let location: PostgresLocation
    let password: String?

    /// Connections the pool may open; a claim, an ingest commit, the listener and a few
    /// queries run at once, and each agent of a fleet has its own pool.
    static let maximumConnections = 8

    /// What libpq's `sslmode` asks of TLS: whether it is used, and what is verified.
    func tlsConfiguration() throws -> TLSConfiguration? {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch location.sslMode {
        case .disable: return nil
        case .prefer, .require: tls.certificateVerification = .none
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        if let file = location.sslRootCertificate {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file))
        }
        return tls
    }

    func clientConfiguration() throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        switch location.endpoint {
        case .tcp(let host, let port):
            let tls: PostgresClient.Configuration.TLS =
                switch (location.sslMode, try tlsConfiguration()) {
                case (.prefer, let config?): .prefer(config)
                case (_, let config?): .require(config)
                case (_, nil): .disable
                }
            configuration = .init(host: host, port: port, username: location.user, password: password, database: location.database, tls: tls)
            if case .verifyFull = location.sslMode { configuration.options.tlsServerName = host }
        case .socket(let path):
            configuration = .init(unixSocketPath: path, username: location.user, password: password, database: location.database)
        }
        configuration.options.maximumConnections = Self.maximumConnections
        configuration.options.connectTimeout = location.connectTimeout ?? .seconds(10)
        configuration.options.additionalStartupParameters = [("application_name", "hooksync")]
        return configuration
    }

    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        switch location.endpoint {
        case .tcp(let host, let port):
            let tls: PostgresConnection.Configuration.TLS =
                switch (location.sslMode, try tlsConfiguration()) {
                case (.prefer, let config?): .prefer(try NIOSSLContext(configuration: config))
                case (_, let config?): .require(try NIOSSLContext(configuration: config))
                case (_, nil): .disable
                }
            configuration = .init(host: host, port: port, username: location.user, password: password, database: location.database, tls: tls)
            if case .verifyFull = location.sslMode { configuration.options.tlsServerName = host }
        case .socket(let path):
            configuration = .init(unixSocketPath: path, username: location.user, password: password, database: location.database)
        }
        let timeout = location.connectTimeout ?? .seconds(10)
        configuration.options.connectTimeout = .nanoseconds(
            Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        )
        configuration.options.additionalStartupParameters = [("application_name", "hooksync")]
        return configuration
    }
}
