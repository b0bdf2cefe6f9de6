/// The console summary and `docs/reliability.md`.
enum ReliabilityReport {
    static func text(of result: ReliabilityResult) -> String {
        var lines = ["", "== \(result.name): \(result.passed ? "passed" : "FAILED")", "   \(result.command)"]
        for (label, value) in result.figures { lines.append("   \(label): \(value)") }
        for check in result.checks {
            lines.append("   [\(check.passed ? "ok" : "FAIL")] \(check.claim)\(check.detail.isEmpty ? "" : " — \(check.detail)")")
        }
        return lines.joined(separator: "\n")
    }

    static func document(_ results: [ReliabilityResult], seed: UInt64) -> String {
        ""
    }
}
