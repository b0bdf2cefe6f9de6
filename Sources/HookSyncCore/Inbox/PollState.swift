public import Foundation

/// Where a source's polling stands, kept in the inbox so that it survives restarts.
public struct PollState: Sendable, Equatable {
    /// The provider-specific position after the last stored page (an event id, a time…).
    public var cursor: String?
    /// Every event before this time has been seen: the start of the last complete pass.
    public var syncedUntil: Date?
    public var lastPollAt: Date?
    public var lastError: String?
    /// Events found by polling whose webhooks did not come within `grace`, in total: counted by
    /// ``Inbox/judgeMissedWebhooks(source:occurredBy:)``.
    public var missed: Int
    public var health: SourceHealth.State
    public var healthReason: String?

    public init(
        cursor: String? = nil,
        syncedUntil: Date? = nil,
        lastPollAt: Date? = nil,
        lastError: String? = nil,
        missed: Int,
        health: SourceHealth.State,
        healthReason: String? = nil
    ) {
        self.cursor = cursor
        self.syncedUntil = syncedUntil
        self.lastPollAt = lastPollAt
        self.lastError = lastError
        self.missed = missed
        self.health = health
        self.healthReason = healthReason
    }
}

/// What a finished (or failed) polling pass records.
public struct PollPassRecord: Sendable, Equatable {
    /// Nil when the pass did not complete, so the synced time stays where it was.
    public var syncedUntil: Date?
    public var polledAt: Date
    public var error: String?
    public var health: SourceHealth.State
    public var healthReason: String?

    public init(syncedUntil: Date?, polledAt: Date, error: String? = nil, health: SourceHealth.State, healthReason: String? = nil) {
        self.syncedUntil = syncedUntil
        self.polledAt = polledAt
        self.error = error
        self.health = health
        self.healthReason = healthReason
    }
}
