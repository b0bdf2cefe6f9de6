public import Foundation

/// Whether a hybrid source's webhooks can be trusted, decided pass by pass.
///
/// A pass that finds missed webhooks, or finds new events while no webhook has arrived for
/// `silence`, degrades the source: it then polls at its fallback rate. `recoverAfter`
/// consecutive clean passes make it healthy again; a pass that stored any event is not clean,
/// since no webhook brought that event (yet). Each change is reported once, with its reason.
///
/// `lastWebhookAt` is when an event last arrived first by webhook: a polled copy of an event a
/// webhook brought earlier must not reset the silence clock, or the poller's own re-listing
/// would make a silent source look alive.
public struct SourceHealth: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        case healthy
        case degraded
    }

    /// What one polling pass found.
    public struct Pass: Sendable, Equatable {
        public var missed: Int
        public var newEvents: Int
        public var lastWebhookAt: Date?
        public var now: Date

        public init(missed: Int, newEvents: Int, lastWebhookAt: Date?, now: Date) {
            self.missed = missed
            self.newEvents = newEvents
            self.lastWebhookAt = lastWebhookAt
            self.now = now
        }
    }

    public enum Transition: Sendable, Equatable {
        case degraded(reason: String)
        case recovered(reason: String)
    }

    public private(set) var state: State
    public private(set) var reason: String?
    public private(set) var cleanPasses = 0
    public let recoverAfter: Int
    public let silence: Duration?

    public init(state: State = .healthy, reason: String? = nil, recoverAfter: Int, silence: Duration?) {
        self.state = state
        self.reason = reason
        self.recoverAfter = max(1, recoverAfter)
        self.silence = silence
    }

    /// When the next pass runs: on schedule, or at the fallback rate while degraded when that
    /// is sooner. The fallback exists to look for lost webhooks more often; it must never slow
    /// down a schedule that is already faster.
    public func nextPass(scheduled: Date, now: Date, fallback: Duration) -> Date {
        state == .degraded ? min(scheduled, now.addingTimeInterval(fallback.seconds)) : scheduled
    }

    /// Folds in a pass; returns the transition it caused, if any.
    public mutating func record(_ pass: Pass) -> Transition? {
        if let problem = problem(in: pass) {
            cleanPasses = 0
            reason = problem
            guard state == .healthy else { return nil }
            state = .degraded
            return .degraded(reason: problem)
        }
        guard state == .degraded else { return nil }
        guard pass.newEvents == 0 else {
            cleanPasses = 0
            return nil
        }
        cleanPasses += 1
        guard cleanPasses >= recoverAfter else { return nil }
        state = .healthy
        reason = nil
        cleanPasses = 0
        return .recovered(reason: "\(recoverAfter) consecutive polling passes found no missed webhook")
    }

    private func problem(in pass: Pass) -> String? {
        if pass.missed > 0 {
            return "polling found \(pass.missed) event(s) that never arrived as webhooks"
        }
        if let silence, pass.newEvents > 0 {
            let quiet = pass.lastWebhookAt.map { pass.now.timeIntervalSince($0) } ?? .infinity
            if quiet > silence.seconds {
                let since = pass.lastWebhookAt == nil ? "ever" : "for \(ConfigDuration.format(.seconds(Int(quiet))))"
                return "no webhook \(since) while polling found \(pass.newEvents) new event(s)"
            }
        }
        return nil
    }
}
