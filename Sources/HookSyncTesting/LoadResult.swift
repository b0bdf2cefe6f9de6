/// A load run's figures: rate of acknowledged requests and latency percentiles.
public struct LoadResult: Sendable {
    public var log: ConnectionLog
    public var seconds: Double

    public init(log: ConnectionLog, seconds: Double) {
        self.log = log
        self.seconds = seconds
    }

    /// Requests answered 2xx.
    public var acknowledged: Int { log.statuses.filter { (200..<300).contains($0.key) }.values.reduce(0, +) }
    /// Acknowledged requests per second over the whole run.
    public var rate: Double { seconds > 0 ? Double(acknowledged) / seconds : 0 }
    public var failed: Int { log.failed }

    /// The latency below which `percent` of all requests succeeded, in milliseconds (nearest
    /// rank); a failed request counts as slower than any, so a percentile that reaches into
    /// the failures is infinite rather than flattered by leaving them out.
    public func latency(_ percent: Double) -> Double {
        Self.percentile(log.latencies, failed: failed, percent) / 1e6
    }

    public static func percentile(_ values: [Int64], failed: Int = 0, _ percent: Double) -> Double {
        let total = values.count + failed
        guard total > 0 else { return 0 }
        let rank = min(max(Int((percent / 100 * Double(total)).rounded(.up)) - 1, 0), total - 1)
        guard rank < values.count else { return .infinity }
        return Double(values.sorted()[rank])
    }
}
