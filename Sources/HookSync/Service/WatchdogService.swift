import Foundation
import HookSyncCore
public import Logging
public import ServiceLifecycle

/// Pings systemd's watchdog (`WATCHDOG=1`) at half its interval, but only while every loop in
/// `liveness` keeps its promises: a wedged worker or poller lets the watchdog fire.
public struct WatchdogService: Service, CustomStringConvertible {
    public var notifier: SystemdNotifier
    public var interval: Duration
    public var liveness: Liveness
    public var logger: Logger

    public init(notifier: SystemdNotifier, interval: Duration, liveness: Liveness, logger: Logger) {
        self.notifier = notifier
        self.interval = interval
        self.liveness = liveness
        self.logger = logger
    }

    public var description: String { "WatchdogService(\(ConfigDuration.format(interval)))" }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown { try await loop() }
    }

    private func loop() async throws {
        var wasHealthy = true
        while !Task.isCancelled {
            let overdue = await liveness.overdue()
            if overdue.isEmpty {
                notifier.notify("WATCHDOG=1")
                if !wasHealthy { logger.notice("all loops make progress again; watchdog pings resume") }
            } else if wasHealthy {
                logger.error("loops stopped making progress; watchdog pings stop", metadata: ["overdue": "\(overdue.joined(separator: ","))"])
                notifier.notify("STATUS=stalled: \(overdue.joined(separator: ", "))")
            }
            wasHealthy = overdue.isEmpty
            try await Task.sleep(for: interval / 2)
        }
    }
}
