public import Foundation
public import HookSyncCore

/// What `hooksync status` shows: whether the agent runs, and per source and route what the
/// inbox holds. Works while the agent is down, since it reads the inbox directly.
public struct StatusReport: Sendable, Codable {
    public struct Agent: Sendable, Codable {
        /// The configured `agent_id`: the owner its leases carry.
        public var id: String
        public var running: Bool
        public var pid: Int32?
        public var listen: String?
        public var startedAt: Date?

        enum CodingKeys: String, CodingKey {
            case id, running, pid, listen
            case startedAt = "started_at"
        }
    }

    public struct Source: Sendable, Codable {
        public var name: String
        public var provider: String
        public var mode: String
        public var events: Int
        public var byState: [String: Int]
        public var lastReceivedAt: Date?
        /// The last time a webhook (not a poll) brought an event.
        public var lastWebhookAt: Date?
        /// How long the provider retries a failed webhook, from its provider file.
        public var providerRetryWindow: String?
        /// How far back the provider's event API reaches, from its provider file.
        public var apiRetention: String?
        /// For sources that poll: schedule, progress, missed webhooks, health and retention.
        public var polling: Polling?

        enum CodingKeys: String, CodingKey {
            case name, provider, mode, events
            case byState = "by_state"
            case lastReceivedAt = "last_received_at"
            case lastWebhookAt = "last_webhook_at"
            case providerRetryWindow = "provider_retry_window"
            case apiRetention = "api_retention"
            case polling
        }
    }

    public struct Polling: Sendable, Codable {
        public var schedule: String
        public var lastPollAt: Date?
        /// "ok", or why the last pass failed.
        public var lastResult: String?
        public var cursor: String?
        public var syncedUntil: Date?
        /// Seconds since `syncedUntil`: how far behind the source may be.
        public var lagSeconds: Int?
        public var lastError: String?
        public var missedWebhooks: Int
        public var health: String
        public var healthReason: String?
        /// "ok", or a warning naming how close the sync point is to the API's retention limit,
        /// or the exact range that can no longer be recovered.
        public var retention: String?

        enum CodingKeys: String, CodingKey {
            case schedule, health, retention
            case cursor
            case lastPollAt = "last_poll_at"
            case lastResult = "last_result"
            case lagSeconds = "lag_seconds"
            case syncedUntil = "synced_until"
            case lastError = "last_error"
            case missedWebhooks = "missed_webhooks"
            case healthReason = "health_reason"
        }
    }

    /// An agent the inbox heard from: with a shared inbox, every agent of the fleet.
    public struct Peer: Sendable, Codable {
        public var id: String
        public var host: String
        public var version: String
        public var startedAt: Date
        public var lastHeartbeat: Date
        public var silentSeconds: Double
        /// Silent for longer than `failover`: stopped or cut off; its work moves to the others.
        public var silent: Bool
        public var leads: [String]

        enum CodingKeys: String, CodingKey {
            case id, host, version, silent, leads
            case startedAt = "started_at"
            case lastHeartbeat = "last_heartbeat"
            case silentSeconds = "silent_seconds"
        }
    }

    public var agent: Agent
    public var inbox: String
    /// Every agent that sent a heartbeat to the inbox, with the sources whose polling it leads.
    public var agents: [Peer]
    public var sources: [Source]
    public var routes: [InboxStatus.RouteCounts]

    public static func gather(config: AgentConfig, now: Date = Date()) async throws -> StatusReport {
        let info = AgentLock.running(dataDirectory: config.dataDirectory)
        let counts: InboxStatus
        var pollStates: [String: PollState] = [:]
        var lastWebhooks: [String: Date] = [:]
        var presences: [AgentPresence] = []
        // Before the agent's first start there is no inbox: status says so with zero counts.
        let inbox: (any Inbox)?
        do {
            inbox = try await InboxFactory.open(config: config, access: .existing)
        } catch {
            guard case .missing = error else { throw error }
            inbox = nil
        }
        if let inbox {
            counts = try await inbox.closing {
                for source in config.sources {
                    if source.mode != .webhook { pollStates[source.name] = try await inbox.pollState(source: source.name) }
                    lastWebhooks[source.name] = try await inbox.lastWebhookArrival(source: source.name)
                }
                presences = try await inbox.agents()
                return try await inbox.status()
            }
        } else {
            counts = InboxStatus(sources: [], routes: [])
        }
        // Status must work with a broken provider file too; `check` reports those.
        let providers = try? ProviderRegistry.load(directory: config.providersDirectory)
        let sources = config.sources.map { source in
            let found = counts.sources.first { $0.source == source.name }
            let provider = providers?[source.provider]
            var polling: Polling?
            if let schedule = source.polling.effectiveSchedule(mode: source.mode) {
                let state = pollStates[source.name]
                polling = Polling(
                    schedule: schedule.description,
                    lastPollAt: state?.lastPollAt,
                    lastResult: state?.lastPollAt == nil ? nil : (state?.lastError.map { "failed: \($0)" } ?? "ok"),
                    cursor: state?.cursor,
                    syncedUntil: state?.syncedUntil,
                    lagSeconds: state?.syncedUntil.map { Int(now.timeIntervalSince($0)) },
                    lastError: state?.lastError,
                    missedWebhooks: state?.missed ?? 0,
                    health: state?.health.rawValue ?? SourceHealth.State.healthy.rawValue,
                    healthReason: state?.healthReason,
                    retention: provider?.api?.retention.flatMap { limit in
                        state?.syncedUntil.map { retentionText(RetentionGuard(retention: limit).check(syncedUntil: $0, now: now)) }
                    }
                )
            }
            return Source(
                name: source.name,
                provider: source.provider,
                mode: source.mode.rawValue,
                events: found?.events ?? 0,
                byState: found?.byState ?? [:],
                lastReceivedAt: found?.lastReceivedAt,
                lastWebhookAt: lastWebhooks[source.name],
                providerRetryWindow: provider?.delivery.retryWindow.map(ConfigDuration.format),
                apiRetention: provider?.api?.retention.map(ConfigDuration.format),
                polling: polling
            )
        }
        let routes = config.routes.map { route in
            counts.routes.first { $0.route == route.name }
                ?? InboxStatus.RouteCounts(route: route.name, pending: 0, retrying: 0, dead: 0, done: 0, oldestPendingAt: nil)
        }
        return StatusReport(
            agent: Agent(id: config.agentID, running: info != nil, pid: info?.pid, listen: info?.listen, startedAt: info?.startedAt),
            inbox: config.inbox.description,
            agents: presences.map { presence in
                Peer(
                    id: presence.identity.id,
                    host: presence.identity.host,
                    version: presence.identity.version,
                    startedAt: presence.identity.startedAt,
                    lastHeartbeat: presence.lastHeartbeat,
                    silentSeconds: presence.silentFor.seconds,
                    silent: presence.silentFor > config.failover,
                    leads: presence.leads
                )
            },
            sources: sources,
            routes: routes
        )
    }

    public func render(now: Date = Date()) -> String {
        var lines: [String] = []
        if agent.running {
            lines.append(
                "agent: \(agent.id), running (pid \(agent.pid.map(String.init) ?? "?"))\(agent.listen.map { ", listening on \($0)" } ?? "")"
            )
        } else {
            lines.append("agent: \(agent.id), not running")
        }
        lines.append("inbox: \(inbox)")
        if !agents.isEmpty {
            var table = TextTable(headers: ["AGENT", "HOST", "VERSION", "LAST HEARTBEAT", "LEADS POLLING OF"])
            for peer in agents {
                let heard = ConsoleTime.age(seconds: peer.silentSeconds) + " ago" + (peer.silent ? " (SILENT)" : "")
                table.append([peer.id, peer.host, peer.version, heard, peer.leads.isEmpty ? "-" : peer.leads.joined(separator: ", ")])
            }
            lines.append("")
            lines.append(table.render())
        }
        lines.append("")
        var sourceTable = TextTable(headers: ["SOURCE", "PROVIDER", "MODE", "EVENTS", "PENDING", "RETRYING", "DEAD", "DONE", "LAST EVENT"])
        for source in sources {
            var row: [String] = [source.name, source.provider, source.mode, String(source.events)]
            for state in DeliveryState.allCases.sorted() {
                row.append(String(source.byState[state.rawValue] ?? 0))
            }
            let last: String = source.lastReceivedAt.map { ConsoleTime.age(of: $0, now: now) + " ago" } ?? "never"
            row.append(last)
            sourceTable.append(row)
        }
        lines.append(sourceTable.render())
        for source in sources where source.providerRetryWindow != nil || source.apiRetention != nil {
            var facts: [String] = []
            if let window = source.providerRetryWindow {
                facts.append(
                    window == "0s" ? "\(source.provider) does not retry failed webhooks" : "\(source.provider) retries failed webhooks for \(window)"
                )
            }
            if let retention = source.apiRetention { facts.append("its event API reaches back \(retention)") }
            lines.append("  \(source.name): " + facts.joined(separator: "; "))
        }
        for source in sources {
            guard let polling = source.polling else { continue }
            var text = "  \(source.name): polls \(polling.schedule)"
            text += polling.lastPollAt.map { ", last \(ConsoleTime.age(of: $0, now: now)) ago" } ?? ", not polled yet"
            text += polling.syncedUntil.map { ", synced up to \(ConsoleTime.rfc3339($0))" } ?? ""
            text += polling.cursor.map { ", cursor \($0)" } ?? ""
            if polling.missedWebhooks > 0 { text += ", \(polling.missedWebhooks) missed webhook(s) recovered" }
            lines.append(text)
            if polling.health == SourceHealth.State.degraded.rawValue {
                lines.append("    DEGRADED, polling at the fallback rate: \(polling.healthReason ?? "unknown reason")")
            }
            if let error = polling.lastError { lines.append("    last poll failed: \(error)") }
            if let retention = polling.retention, retention != "ok" { lines.append("    \(retention)") }
        }
        lines.append("")
        var routeTable = TextTable(headers: ["ROUTE", "PENDING", "RETRYING", "DEAD", "DONE", "OLDEST PENDING"])
        for route in routes {
            let oldest: String = route.oldestPendingAt.map { ConsoleTime.age(of: $0, now: now) } ?? "-"
            routeTable.append(
                [route.route, String(route.pending), String(route.retrying), String(route.dead), String(route.done), oldest])
        }
        lines.append(routeTable.render())
        return lines.joined(separator: "\n")
    }

    static func retentionText(_ verdict: RetentionGuard.Verdict) -> String {
        switch verdict {
        case .ok:
            "ok"
        case .nearLimit(let age, let limit):
            "WARNING: synced \(ConfigDuration.format(age)) ago, near the API's \(ConfigDuration.format(limit)) retention: events older than that cannot be polled"
        case .lost(let from, let until):
            "LOST: events from \(ConsoleTime.rfc3339(from)) to \(ConsoleTime.rfc3339(until)) are past the API's retention and cannot be recovered by polling"
        }
    }
}
