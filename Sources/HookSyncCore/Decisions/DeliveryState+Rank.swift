extension DeliveryState {
    /// The SQL that folds the states of an event's deliveries (`d.state`) into the event's
    /// state: the lowest rank in ``DeliveryState``'s order, `done` when it has none. Both
    /// backends speak this SQL, so `events` and `status` agree whichever answers.
    package static let rankSQL: String = {
        let cases = allCases.map { "WHEN '\($0.rawValue)' THEN \($0.rank)" }
        return "COALESCE(MIN(CASE d.state \(cases.joined(separator: " ")) END), \(DeliveryState.done.rank))"
    }()

    /// The state of a rank that ``rankSQL`` computed.
    package init(rank: Int) {
        self = DeliveryState.allCases.first { $0.rank == rank } ?? .done
    }
}
