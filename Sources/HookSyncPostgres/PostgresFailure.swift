import PostgresNIO

/// Turns postgres-nio's errors into words an operator can act on.
///
/// `PSQLError` hides everything behind a generic description, on purpose, so that a server's
/// message never reaches an end user by accident. The agent's users are operators: they need
/// the server's own message and SQLSTATE ("password authentication failed for user …"), or
/// the network's ("connection refused"), and never a query's bound values.
enum PostgresFailure {
    static func describe(_ error: any Error) -> String {
        if let transaction = error as? PostgresTransactionError {
            if let begin = transaction.beginError { return "starting a transaction: \(describe(begin))" }
            if let commit = transaction.commitError { return "committing: \(describe(commit))" }
            if let closure = transaction.closureError { return describe(closure) }
        }
        guard let error = error as? PSQLError else { return "\(error)" }
        if let info = error.serverInfo, let message = info[.message] {
            var text = message
            if let detail = info[.detail] { text += " (\(detail))" }
            if let state = info[.sqlState] { text += " [SQLSTATE \(state)]" }
            return text
        }
        var text: String
        switch error.code {
        case .connectionError: text = "cannot connect"
        case .serverClosedConnection: text = "the server closed the connection"
        case .clientClosedConnection: text = "the connection was closed"
        case .sslUnsupported: text = "the server does not accept TLS (sslmode requires it)"
        case .authMechanismRequiresPassword: text = "the server asks for a password and none is set ([inbox] password)"
        case .unsupportedAuthMechanism: text = "the server asks for an authentication method postgres-nio does not support"
        case .poolClosed: text = "the inbox is closed"
        case .queryCancelled: text = "the query was cancelled"
        default: text = "\(error.code)"
        }
        if let underlying = error.underlying { text += ": \(describe(underlying))" }
        return text
    }

    /// The error a transaction's body threw, unwrapped from postgres-nio's transaction error.
    static func thrownInTransaction(_ error: any Error) -> any Error {
        (error as? PostgresTransactionError)?.closureError ?? error
    }
}

/// A failure of the PostgreSQL inbox, described for the operator (``PostgresFailure``).
struct PostgresInboxError: Error, CustomStringConvertible {
    var description: String

    init(_ operation: String, _ error: any Error) {
        description = "PostgreSQL inbox: \(operation) failed: \(PostgresFailure.describe(error))"
    }
}
