public import HookSyncCore

/// Copies one inbox into another, as `hooksync inbox copy` does when a fleet moves from one
/// agent's SQLite file to a shared PostgreSQL database, or back: events with their deliveries,
/// attempt histories and dead letters, and every source's poll state, so that dedup, pending
/// work and polling continue where they were.
///
/// Events already in the target (same source and dedup key) are left as they are, so an
/// interrupted copy can simply run again. Leases are not copied: the source agent is stopped.
public enum InboxCopy {
    public struct Summary: Sendable, Equatable {
        public var copied = 0
        /// Events the target already held.
        public var skipped = 0
        public var pollStates = 0
    }

    /// Events are read and written in pages of `pageSize`; `progress` is told after each.
    public static func run(
        from source: any Inbox,
        to target: any Inbox,
        pageSize: Int = 200,
        progress: @Sendable (Summary) -> Void = { _ in }
    ) async throws -> Summary {
        var summary = Summary()
        var position: Int64 = 0
        while true {
            let page = try await source.exportEvents(after: position, limit: pageSize)
            let copied = try await target.importEvents(page.events)
            summary.copied += copied
            summary.skipped += page.events.count - copied
            progress(summary)
            guard let next = page.next else { break }
            position = next
        }
        for (name, state) in try await source.pollStates().sorted(by: { $0.key < $1.key }) {
            try await target.importPollState(source: name, state)
            summary.pollStates += 1
        }
        return summary
    }
}
