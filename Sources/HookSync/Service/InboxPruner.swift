public import Foundation
public import HookSyncCore
public import Logging
public import ServiceLifecycle

/// Keeps the inbox from growing without bound: deletes events older than `retain` once every
/// delivery of theirs is done. Dead letters and pending work are never pruned.
///
/// It deletes in small batches, each its own short transaction, and yields between them, so
/// the receiver's commits are never held behind a large delete.
public struct InboxPruner<C: Clock>: Service, CustomStringConvertible where C.Duration == Duration {
    public var inbox: any Inbox
    public var retain: Duration
    public var interval: Duration
    public var batch: Int
    public var clock: C
    public var logger: Logger
    public var now: @Sendable () -> Date

    /// How often pruning runs for a given `retain`: a tenth of it, between 1 s and 5 minutes,
    /// so that an event is gone at most a tenth late (a `retain` of minutes is honoured within
    /// seconds), while a long `retain` costs one short query every 5 minutes.
    public static func interval(for retain: Duration) -> Duration {
        min(max(retain / 10, .seconds(1)), .seconds(300))
    }

    /// - Parameter interval: between passes; by default ``interval(for:)`` of `retain`.
    public init(
        inbox: any Inbox,
        retain: Duration,
        interval: Duration? = nil,
        batch: Int = 500,
        clock: C,
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.inbox = inbox
        self.retain = retain
        self.interval = interval ?? Self.interval(for: retain)
        self.batch = batch
        self.clock = clock
        self.logger = logger
        self.now = now
    }

    public var description: String { "InboxPruner(retain: \(ConfigDuration.format(retain)))" }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let pruned = try await pruneOnce()
                    if pruned > 0 {
                        logger.info("pruned delivered events", metadata: ["count": "\(pruned)", "older_than": "\(ConfigDuration.format(retain))"])
                    }
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("cannot prune the inbox", metadata: ["error": "\(error)"])
                }
                try await clock.sleep(for: interval)
            }
        }
    }

    /// Prunes everything due now, batch by batch; returns how many events went.
    /// - Parameter betweenBatches: runs after each full batch has committed, before the next
    ///   starts, with the batch's count: where other writers get their turn.
    public func pruneOnce(betweenBatches: @Sendable (Int) async throws -> Void = { _ in }) async throws -> Int {
        let cutoff = now().addingTimeInterval(-retain.seconds)
        var total = 0
        while true {
            try Task.checkCancellation()
            let pruned = try await inbox.prune(receivedBefore: cutoff, limit: batch)
            total += pruned
            if pruned < batch { return total }
            try await betweenBatches(pruned)
            await Task.yield()
        }
    }
}
