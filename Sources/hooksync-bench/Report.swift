import Foundation
import HookSyncTesting

/// One line of the results table.
struct Measurement: Sendable {
    var scenario: String
    var rate: Double?
    var unit = "events/s"
    var p50: Double?
    var p99: Double?
    var p999: Double?
    var cpuPerThousand: Double?
    var peakRSS: Int?
    var note = ""
    /// False for what is measured beside the agent (the bare route, the peer, pgbench): the
    /// agent's memory target leaves those out.
    var isAgent = true

    init(_ scenario: String, load: LoadResult? = nil, unit: String = "events/s", note: String = "") {
        self.scenario = scenario
        self.unit = unit
        self.note = note
        if let load {
            rate = load.rate
            p50 = load.latency(50)
            p99 = load.latency(99)
            p999 = load.latency(99.9)
        }
    }

    /// CPU seconds the process spent per 1,000 events, and its peak RSS, between two samples.
    mutating func account(_ before: ProcessSample, _ after: ProcessSample, events: Int) {
        cpuPerThousand = events > 0 ? (after.cpuSeconds - before.cpuSeconds) / Double(events) * 1000 : nil
        peakRSS = after.peakRSSBytes
    }
}

/// A target of the issue, and whether this run met it.
struct TargetCheck: Sendable {
    var target: String
    var measured: String
    var met: Bool
}

/// The run's results, printed as one table and written as `docs/benchmarks.md`.
struct Report {
    var measurements: [Measurement] = []
    var targets: [TargetCheck] = []
    var notes: [String] = []

    func table() -> String {
        var rows = [["Scenario", "Rate", "p50 ms", "p99 ms", "p99.9 ms", "CPU s/1k", "Peak RSS MB", "Notes"]]
        for m in measurements {
            rows.append([
                m.scenario,
                m.rate.map { "\(Self.format($0, digits: 0)) \(m.unit)" } ?? "–",
                m.p50.map(Self.latency) ?? "–",
                m.p99.map(Self.latency) ?? "–",
                m.p999.map(Self.latency) ?? "–",
                m.cpuPerThousand.map { Self.format($0, digits: 3) } ?? "–",
                m.peakRSS.map { Self.format(Double($0) / 1_048_576, digits: 1) } ?? "–",
                m.note,
            ])
        }
        return Self.markdown(rows)
    }

    func targetTable() -> String {
        Self.markdown([["Target", "Measured", "Met"]] + targets.map { [$0.target, $0.measured, $0.met ? "yes" : "**no**"] })
    }

    static func markdown(_ rows: [[String]]) -> String {
        guard let header = rows.first else { return "" }
        var lines = ["| " + header.joined(separator: " | ") + " |", "|" + header.map { _ in "---" }.joined(separator: "|") + "|"]
        lines += rows.dropFirst().map { "| " + $0.joined(separator: " | ") + " |" }
        return lines.joined(separator: "\n")
    }

    /// Milliseconds; "failed" where the percentile reaches into failed requests.
    static func latency(_ milliseconds: Double) -> String {
        milliseconds.isFinite ? format(milliseconds, digits: 2) : "failed"
    }

    static func format(_ value: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
