import CoreMetrics
public import Foundation
public import HookSyncCore
import Metrics
public import Prometheus

/// The agent's Prometheus metrics, in a registry of its own rather than the process-wide
/// MetricsSystem, so several agents in one process (tests, `hooksync demo`) never mix counts.
public struct AgentMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(5), .seconds(30),
        ]
        self.factory = factory
    }

    public func eventReceived(source: String, origin: EventOrigin, stored: Bool) {
        let dimensions = [("source", source), ("origin", origin.rawValue)]
        if stored {
            Counter(label: "hooksync_events_received_total", dimensions: dimensions, factory: factory).increment()
        } else {
            Counter(label: "hooksync_duplicates_dropped_total", dimensions: dimensions, factory: factory).increment()
        }
    }

    public func eventsPolled(source: String, stored: Int, duplicates: Int) {
        let dimensions = [("source", source), ("origin", EventOrigin.poll.rawValue)]
        Counter(label: "hooksync_events_received_total", dimensions: dimensions, factory: factory).increment(by: stored)
        Counter(label: "hooksync_duplicates_dropped_total", dimensions: dimensions, factory: factory).increment(by: duplicates)
    }

    public func webhookRejected(source: String, reason: String) {
        Counter(label: "hooksync_webhooks_rejected_total", dimensions: [("source", source), ("reason", reason)], factory: factory).increment()
    }

    public func deliveryFinished(route: String, decision: DeliveryPolicy.Decision, duration: Duration) {
        let outcome =
            switch decision {
            case .done: "done"
            case .retry: "retry"
            case .dead: "dead"
            }
        Counter(label: "hooksync_delivery_attempts_total", dimensions: [("route", route), ("outcome", outcome)], factory: factory).increment()
        Timer(label: "hooksync_delivery_duration_seconds", dimensions: [("route", route)], factory: factory).record(duration: duration)
    }

    public func pollFinished(source: String, succeeded: Bool, missed: Int, lag: TimeInterval?) {
        Counter(label: "hooksync_poll_runs_total", dimensions: [("source", source), ("result", succeeded ? "ok" : "error")], factory: factory)
            .increment()
        Counter(label: "hooksync_missed_webhooks_total", dimensions: [("source", source)], factory: factory).increment(by: missed)
        if let lag { Gauge(label: "hooksync_poll_lag_seconds", dimensions: [("source", source)], factory: factory).record(lag) }
    }

    /// 1 while this agent leads the polling of `source`, 0 while another agent does.
    public func pollLeader(source: String, leading: Bool) {
        Gauge(label: "hooksync_poll_leader", dimensions: [("source", source)], factory: factory).record(leading ? 1 : 0)
    }

    public func sourceHealth(source: String, degraded: Bool) {
        Gauge(label: "hooksync_source_degraded", dimensions: [("source", source)], factory: factory).record(degraded ? 1 : 0)
    }

    /// Refreshes the queue gauges from the inbox, then renders everything in Prometheus text.
    /// When the inbox cannot be read, `hooksync_inbox_up` says so (0) and the queue gauges keep
    /// the values of the last scrape that could: an alert on it tells stale numbers from a
    /// quiet queue.
    public func render(inbox: any Inbox) async -> String {
        let up = Gauge(label: "hooksync_inbox_up", factory: factory)
        do {
            let status = try await inbox.status()
            for route in status.routes {
                for (state, count) in [("pending", route.pending), ("retrying", route.retrying), ("dead", route.dead), ("done", route.done)] {
                    Gauge(label: "hooksync_deliveries", dimensions: [("route", route.route), ("state", state)], factory: factory).record(count)
                }
            }
            up.record(1)
        } catch {
            up.record(0)
        }
        return registry.emitToString()
    }
}
