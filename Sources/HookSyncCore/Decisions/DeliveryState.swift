/// Where one (event, route) delivery stands.
public enum DeliveryState: String, Sendable, Codable, CaseIterable, Comparable {
    /// Not attempted yet.
    case pending
    /// Failed at least once, another attempt is scheduled.
    case retrying
    /// Exhausted its attempts; waits in the dead-letter table for an operator.
    case dead
    /// Delivered.
    case done

    /// Order of "finishedness": an event's state is the least finished of its deliveries' (the
    /// inbox derives its SQL from this order), and an event no route wanted is done.
    package var rank: Int {
        switch self {
        case .pending: 0
        case .retrying: 1
        case .dead: 2
        case .done: 3
        }
    }

    /// Done or dead: it holds nothing back (a dead letter waits for an operator, not for its
    /// key's order) until it is replayed.
    public var isFinished: Bool { self == .done || self == .dead }

    public static func < (lhs: DeliveryState, rhs: DeliveryState) -> Bool {
        lhs.rank < rhs.rank
    }
}
