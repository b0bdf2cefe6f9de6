import HookSyncCore

/// Wakes the delivery worker when there is something to do, so an idle agent sleeps instead of
/// polling the database, while new events are picked up at once; and tells it how busy the
/// receiver is, so a drain yields to arriving webhooks (``DrainBudget``).
public actor WorkSignal {
    private var pendingWake = false
    private var waiter: CheckedContinuation<Void, Never>?
    /// Set on graceful shutdown; the worker stops claiming new work.
    public private(set) var isStopped = false
    /// Written by the receiver on every request, read by the worker before each claim.
    public nonisolated let receiver: ReceiverActivity

    public init(receiver: ReceiverActivity = ReceiverActivity()) {
        self.receiver = receiver
    }

    /// Asks the worker to stop claiming and wakes it so it notices at once.
    public func stop() {
        isStopped = true
        wake()
    }

    /// Says that new work may be due. Cheap; wakes a sleeping worker or marks the next wait short.
    public func wake() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            pendingWake = true
        }
    }

    /// Returns when woken, or after `timeout` on `clock`, whichever comes first.
    public func wait<C: Clock>(timeout: C.Duration, clock: C) async where C.Duration == Duration {
        if pendingWake {
            pendingWake = false
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await clock.sleep(for: timeout) }
            group.addTask { await self.waitForWake() }
            await group.next()
            group.cancelAll()
        }
        pendingWake = false
    }

    private func waitForWake() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if pendingWake || Task.isCancelled {
                    continuation.resume()
                } else {
                    waiter = continuation
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter() }
        }
    }

    private func cancelWaiter() {
        waiter?.resume()
        waiter = nil
    }
}
