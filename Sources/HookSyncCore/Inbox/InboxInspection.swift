/// What `hooksync check` found at the inbox a configuration names, without changing it.
public struct InboxInspection: Sendable {
    /// The server and its version ("PostgreSQL 15.18"), or "SQLite" for a file.
    public var server: String
    /// The schema version in the inbox; nil when no agent has created the schema yet.
    public var schemaVersion: Int?
    /// The newest schema version this binary knows.
    public var knownVersion: Int
    /// The agents that sent heartbeats to a shared inbox.
    public var agents: [AgentPresence]

    public init(server: String, schemaVersion: Int?, knownVersion: Int, agents: [AgentPresence]) {
        self.server = server
        self.schemaVersion = schemaVersion
        self.knownVersion = knownVersion
        self.agents = agents
    }

    /// A schema this binary cannot use: an agent of a newer hooksync migrated it.
    public var isNewerThanKnown: Bool { (schemaVersion ?? 0) > knownVersion }
}
