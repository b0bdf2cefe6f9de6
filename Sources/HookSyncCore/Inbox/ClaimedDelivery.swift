public import Foundation

/// A delivery leased to a worker for one attempt, with what the route needs to run it.
public struct ClaimedDelivery: Sendable {
    public var deliveryID: Int64
    public var route: String
    /// This attempt's number, from 1. A claim counts as an attempt, so a delivery cut short by
    /// a crash runs again with the next number and its handler can tell.
    public var attempt: Int
    public var source: String
    public var eventID: String
    public var type: String
    public var origin: EventOrigin
    public var body: [UInt8]
    /// The stored event's content type, which a forward passes through.
    public var contentType: String?
    /// A later event with the same order key was already delivered: the handler should know.
    public var late: Bool = false

    public init(
        deliveryID: Int64,
        route: String,
        attempt: Int,
        source: String,
        eventID: String,
        type: String,
        origin: EventOrigin,
        body: [UInt8],
        contentType: String? = nil,
        late: Bool = false
    ) {
        self.deliveryID = deliveryID
        self.route = route
        self.attempt = attempt
        self.source = source
        self.eventID = eventID
        self.type = type
        self.origin = origin
        self.body = body
        self.contentType = contentType
        self.late = late
    }
}

/// The outcome of one attempt, as the worker reports it to the inbox.
public struct AttemptRecord: Sendable {
    public var deliveryID: Int64
    public var leaseOwner: String
    public var startedAt: Date
    public var finishedAt: Date
    /// nil when the attempt succeeded.
    public var error: String?
    public var decision: DeliveryPolicy.Decision

    public init(
        deliveryID: Int64,
        leaseOwner: String,
        startedAt: Date,
        finishedAt: Date,
        error: String?,
        decision: DeliveryPolicy.Decision
    ) {
        self.deliveryID = deliveryID
        self.leaseOwner = leaseOwner
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.error = error
        self.decision = decision
    }
}

extension AttemptRecord {
    /// Where the delivery stands after this attempt, and when it is due again if it retries
    /// (seconds since 1970): what every backend writes.
    public var outcome: (state: DeliveryState, nextAttemptAt: Double?) {
        let finished = finishedAt.timeIntervalSince1970
        switch decision {
        case .done: return (.done, nil)
        case .retry(let delay): return (.retrying, finished + delay.seconds)
        case .dead: return (.dead, nil)
        }
    }

    /// The attempt's duration as the history keeps it.
    public var durationMs: Int { Int((finishedAt.timeIntervalSince(startedAt) * 1000).rounded()) }
}
