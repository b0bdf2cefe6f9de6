import Foundation
import HookSyncCore

extension SQLiteInbox {
    /// The file belongs to one agent at a time (its data-directory lock), so it leads every
    /// source it polls and nothing needs to reach the disk: a heartbeat written every few
    /// seconds would only cost fsyncs. `status` names the running agent from its lock.
    func heartbeat(_ agent: AgentIdentity, sources: [String], term: Duration) async throws -> Set<String> {
        await presence.beat(agent, sources: sources)
        return Set(sources)
    }

    func releaseLeadership(agent: String) async throws {
        await presence.release(agent)
    }

    func agents() async throws -> [AgentPresence] {
        await presence.agents()
    }
}

/// The agent that sends heartbeats to this handle, as far as this process knows it.
actor SQLitePresence {
    private var latest: (identity: AgentIdentity, at: ContinuousClock.Instant, wall: Date, leads: [String])?

    func beat(_ agent: AgentIdentity, sources: [String]) {
        latest = (agent, .now, Date(), sources.sorted())
    }

    func release(_ agent: String) {
        if latest?.identity.id == agent { latest?.leads = [] }
    }

    func agents() -> [AgentPresence] {
        guard let latest else { return [] }
        return [AgentPresence(identity: latest.identity, lastHeartbeat: latest.wall, silentFor: .now - latest.at, leads: latest.leads)]
    }
}
