/// A load run's figures: rate of acknowledged requests and latency percentiles.
struct LoadResult: Sendable {
    var log: ConnectionLog
    var seconds: Double

    var acknowledged: Int { log.acknowledged.count }
    var answered: Int { log.latencies.count }
    /// Acknowledged requests per second over the whole run.
    var rate: Double { seconds > 0 ? Double(acknowledged) / seconds : 0 }
    var failed: Int { answered - acknowledged + log.errors.count }

    /// The latency below which `percent` of the answers came, in milliseconds (nearest rank).
    func latency(_ percent: Double) -> Double {
        Self.percentile(log.latencies, percent) / 1e6
    }

    static func percentile(_ values: [Int64], _ percent: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((percent / 100 * Double(sorted.count)).rounded(.up)) - 1
        return Double(sorted[min(max(rank, 0), sorted.count - 1)])
    }
}
