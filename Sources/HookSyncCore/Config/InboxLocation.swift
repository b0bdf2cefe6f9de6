/// Which inbox a configuration names, so that the agent, the CLI, backfill and the demo all
/// open it the same way (through `InboxFactory`) whatever the backend.
public enum InboxLocation: Sendable, Equatable, CustomStringConvertible {
    /// One SQLite file, owned by one agent at a time.
    case sqlite(path: String)

    /// How messages name it: a file path, never a secret.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        }
    }
}
