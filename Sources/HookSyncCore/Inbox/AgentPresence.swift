public import Foundation

/// Who an agent is, as its heartbeats tell the shared inbox: what `status` lists on any host.
public struct AgentIdentity: Sendable, Equatable {
    public var id: String
    public var host: String
    public var version: String
    public var startedAt: Date

    public init(id: String, host: String, version: String, startedAt: Date) {
        self.id = id
        self.host = host
        self.version = version
        self.startedAt = startedAt
    }
}

/// An agent as the inbox last heard of it: its identity, its last heartbeat, how long it has
/// been silent on the inbox's clock, and the sources whose polling it leads.
public struct AgentPresence: Sendable, Equatable {
    public var identity: AgentIdentity
    public var lastHeartbeat: Date
    /// Time since the last heartbeat, measured on the inbox's clock (a database server's), so
    /// that a host whose clock is off does not make a live agent look silent.
    public var silentFor: Duration
    public var leads: [String]

    public init(identity: AgentIdentity, lastHeartbeat: Date, silentFor: Duration, leads: [String]) {
        self.identity = identity
        self.lastHeartbeat = lastHeartbeat
        self.silentFor = silentFor
        self.leads = leads
    }
}

/// A page was not stored because the agent no longer leads its source's polling: another
/// agent took over while this one was cut off, and only the leader may move the cursor.
public struct LeadershipLost: Error, Sendable, CustomStringConvertible {
    public var source: String
    public var agent: String

    public init(source: String, agent: String) {
        self.source = source
        self.agent = agent
    }

    public var description: String {
        "agent \(agent) no longer leads the polling of \(source): another agent took over, the page was not stored"
    }
}
