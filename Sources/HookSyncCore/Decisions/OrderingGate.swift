/// Per-key delivery order (`order_by`): which due delivery of a key may run now, and whether
/// an event reaches its route late.
///
/// The rule, for the deliveries of one route that share an order key: one runs at a time, and
/// it is the earliest unfinished one by ``Position`` (when the event occurred, else when it
/// arrived, then arrival order). A retrying event therefore holds back the later events of its
/// key, and only those. An event delivered after a later event of its key was already delivered
/// is *late* (it arrived after them, by poll or a provider's retry); its handler is told.
///
/// A backend computes the facts about a key in its own query language (``KeyFacts``); this
/// value makes the decision, so every backend decides alike. ``KeyFacts/init(of:among:now:)``
/// is the reference the backends' queries are tested against.
public struct OrderingGate: Sendable {
    /// Where a delivery stands in its key's order.
    public struct Position: Sendable, Comparable, Hashable {
        /// When the event occurred, by the provider's clock, else when it was received
        /// (seconds since 1970).
        public var time: Double
        /// The event's arrival order in the inbox: breaks ties between equal times.
        public var sequence: Int64

        public init(time: Double, sequence: Int64) {
            self.time = time
            self.sequence = sequence
        }

        public static func < (lhs: Position, rhs: Position) -> Bool {
            (lhs.time, lhs.sequence) < (rhs.time, rhs.sequence)
        }
    }

    /// What the inbox knows about the other deliveries of a candidate's (route, key).
    public struct KeyFacts: Sendable, Equatable {
        /// Another delivery of the key holds a live lease: it is running somewhere.
        public var inFlight: Bool
        /// Another delivery of the key, earlier by position, is not finished (pending or retrying).
        public var earlierUnfinished: Bool

        public init(inFlight: Bool, earlierUnfinished: Bool) {
            self.inFlight = inFlight
            self.earlierUnfinished = earlierUnfinished
        }
    }

    /// One delivery of a key as the reference model sees it.
    public struct KeyedDelivery: Sendable {
        public var id: Int64
        public var position: Position
        public var state: DeliveryState
        /// When its lease ends, if it has one.
        public var leaseUntil: Double?

        public init(id: Int64, position: Position, state: DeliveryState, leaseUntil: Double?) {
            self.id = id
            self.position = position
            self.state = state
            self.leaseUntil = leaseUntil
        }
    }

    public enum Verdict: Sendable, Equatable {
        case run
        /// Another delivery of the key runs, or must run, first.
        case hold
    }

    private struct Key: Hashable {
        var route: String
        var orderKey: String
    }

    /// Keys admitted in this claim: two due deliveries of one key never run together.
    private var admitted = Set<Key>()

    public init() {}

    /// Decides for the next candidate of a claim, taken in due order. A delivery without an
    /// order key always runs.
    public mutating func admit(route: String, orderKey: String?, facts: KeyFacts) -> Verdict {
        guard let orderKey else { return .run }
        guard !facts.inFlight, !facts.earlierUnfinished else { return .hold }
        return admitted.insert(Key(route: route, orderKey: orderKey)).inserted ? .run : .hold
    }

    /// Whether an event at `position` is late: a later event of its key was already delivered.
    /// `latestDone` is the position of the latest delivered event of the key, if any.
    public static func isLate(_ position: Position, latestDone: Position?) -> Bool {
        latestDone.map { $0 > position } ?? false
    }
}

extension OrderingGate.KeyFacts {
    /// The facts about `candidate`'s key from all the deliveries of that (route, key): the
    /// definition each backend's query must match.
    public init(of candidate: OrderingGate.KeyedDelivery, among deliveries: [OrderingGate.KeyedDelivery], now: Double) {
        let others = deliveries.filter { $0.id != candidate.id }
        inFlight = others.contains { ($0.leaseUntil ?? -.infinity) >= now }
        earlierUnfinished = others.contains { !$0.state.isFinished && $0.position < candidate.position }
    }
}
