public import Foundation
import HTTPTypes
public import HookSyncCore
public import Hummingbird
import NIOCore

/// `/healthz` (the process answers), `/readyz` (the inbox is writable and each polling source
/// has polled recently enough) and `/metrics` (Prometheus text), for load balancers, systemd
/// checks and Prometheus.
public struct AdminEndpoints: Sendable {
    public var setup: AgentSetup
    public var inbox: any Inbox
    public var metrics: AgentMetrics
    public var now: @Sendable () -> Date

    public init(setup: AgentSetup, inbox: any Inbox, metrics: AgentMetrics, now: @escaping @Sendable () -> Date = { Date() }) {
        self.setup = setup
        self.inbox = inbox
        self.metrics = metrics
        self.now = now
    }

    public func register<Context: RequestContext>(on router: Router<Context>, health: Bool) {
        if health {
            router.get("/healthz") { _, _ in WebhookReceiver.reply(.ok, ["status": "ok"]) }
        }
        router.get("/readyz") { _, _ in await readiness() }
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: await metrics.render(inbox: inbox))))
        }
    }

    /// 200 with every check "ok", else 503 naming what fails.
    func readiness() async -> Response {
        var checks: [String: String] = [:]
        do {
            try await inbox.checkWritable()
            checks["inbox"] = "ok"
        } catch {
            checks["inbox"] = "not writable: \(error)"
        }
        let at = now()
        for source in setup.config.sources {
            guard let schedule = source.polling.effectiveSchedule(mode: source.mode) else { continue }
            let state: PollState?
            do {
                state = try await inbox.pollState(source: source.name)
            } catch {
                checks["source \(source.name)"] = "cannot read its poll state: \(error)"
                continue
            }
            guard let last = state?.lastPollAt else {
                checks["source \(source.name)"] = "no poll yet"
                continue
            }
            // Two scheduled runs and a few minutes of retries may pass before it is overdue.
            let expected = schedule.next(after: last).timeIntervalSince(last)
            let allowed = 2 * expected + 300
            let age = at.timeIntervalSince(last)
            checks["source \(source.name)"] = age <= allowed ? "ok" : "last poll \(Int(age)) s ago, expected within \(Int(allowed)) s"
        }
        let ready = checks.values.allSatisfy { $0 == "ok" }
        return WebhookReceiver.reply(ready ? .ok : .serviceUnavailable, checks.merging(["status": ready ? "ready" : "not ready"]) { $1 })
    }
}
