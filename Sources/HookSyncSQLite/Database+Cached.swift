import GRDB

extension Database {
    /// Runs `sql` through the connection's statement cache. The statements that run per event
    /// or per delivery are compiled once, not at every call: compiling (and GRDB's authorizer
    /// pass over it) costs more than the insert itself.
    func executeCached(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
