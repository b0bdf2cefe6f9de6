import ServiceLifecycle

/// Tells systemd `STOPPING=1` as soon as a graceful shutdown begins, so `systemctl status`
/// shows the drain rather than a hang.
struct ShutdownNotice: Service, CustomStringConvertible {
    var notifier: SystemdNotifier

    var description: String { "ShutdownNotice" }

    func run() async throws {
        try? await gracefulShutdown()
        notifier.notify("STOPPING=1\nSTATUS=draining in-flight deliveries")
    }
}
