import HookSyncCore
import Logging
import ServiceLifecycle

/// Wakes this agent's worker when another agent makes work due, so that an event stored by
/// any agent of a fleet is picked up within milliseconds rather than at the next `idle_poll`.
///
/// The watch is started again after a lost connection, with a short pause; meanwhile the
/// worker still polls every `idle_poll`, so nothing waits longer than it did without it.
struct InboxWatcher: Service {
    let inbox: any Inbox
    let signal: WorkSignal
    let logger: Logger
    /// The first pause before watching again after the watch was lost; it doubles while the
    /// watch keeps failing, up to `maxPause`, so an outage costs a log line now and then.
    var pause: Duration = .seconds(1)
    var maxPause: Duration = .seconds(30)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            let clock = ContinuousClock()
            var next = pause
            while !Task.isCancelled {
                let started = clock.now
                do {
                    try await inbox.watchForWork { [signal] in await signal.wake() }
                    return
                } catch is CancellationError {
                    return
                } catch {
                    // A watch that held for a while was fine: start over with a short pause.
                    if clock.now - started > maxPause { next = pause }
                    logger.warning(
                        "not watching the inbox for new work; watching again soon",
                        metadata: ["error": "\(error)", "retry_in": "\(next)"]
                    )
                    do { try await clock.sleep(for: next) } catch { return }
                    next = min(next * 2, maxPause)
                }
            }
        }
    }
}
