/// Which inbox a configuration names, so that the agent, the CLI, backfill and the demo all
/// open it the same way (through `InboxFactory`) whatever the backend.
public enum InboxLocation: Sendable, Equatable, CustomStringConvertible {
    /// One SQLite file, owned by one agent at a time: the default, `<data_dir>/inbox.sqlite`.
    case sqlite(path: String)
    /// A PostgreSQL database that several agents share (`[inbox] url`).
    case postgres(PostgresLocation)

    /// How messages name it: a file path or a URL, never a secret.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let location): location.description
        }
    }
}
