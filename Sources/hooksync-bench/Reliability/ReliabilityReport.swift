import Foundation

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

    /// Sums the figures whose label ends with `suffix` (a scenario may report several routes).
    static func total(_ result: ReliabilityResult, _ suffix: String) -> Int {
        result.figures.filter { $0.0.hasSuffix(suffix) }.compactMap { Int($0.1) }.reduce(0, +)
    }

    static func document(_ results: [ReliabilityResult], seed: UInt64) -> String {
        let date = ISO8601DateFormatter().string(from: Date()).prefix(10)
        var text = """
            # Reliability

            Written by `make reliability` (\(date), seed \(seed), \(ProcessInfo.processInfo.activeProcessorCount) cores); \
            do not edit by hand. The suite starts the release agent as a real process against an \
            in-process chaos provider — Stripe-signed webhooks that it drops, repeats, delays and \
            reorders, and a `GET /v1/events` API that fails on purpose — and a recording app behind \
            the agent's routes. Each scenario is judged by its end state: what the inbox holds and \
            what the route received, never by the agent's logs. A check fails if one acknowledged \
            event is lost or one event is processed twice, except across a cut the scenario made \
            itself (a kill, a power cut, the database away): the agent runs again what it could \
            not record, and the app's own times (when each copy arrived and was answered, and \
            which agent sent it) must show the cut between the two copies.

            The `shared` scenarios run two agents on one PostgreSQL inbox (a throwaway server of \
            Debian's `postgresql`, `failover = "3s"`), with the chaos provider as their load \
            balancer: each webhook goes to the next agent, and to the other when one refuses the \
            connection. A failover time is measured from outside: from the SIGKILL to the app \
            seeing a delivery again, or to the provider's API seeing the next poll.

            Rerun everything with `make reliability`, or one scenario with its command below; the \
            same seed repeats the same fault decisions, kill moments and fuzz cases, while timing \
            varies from run to run. `make test` runs the same suite with `--quick` against the \
            debug build (`ReliabilitySmokeTests`).

            Found and fixed while the suite was built: with route limits adding up to more than the \
            worker's slots, a route was starved of slots by routes with nothing due; a retry that fell \
            due during a claim waited a whole `idle_poll`; a degraded hybrid source polled at \
            `fallback_poll` even when its schedule was faster; all forward routes shared one \
            connection pool of 8 per host, so a hanging target held back other routes to the same \
            app; an outcome the inbox could not take (full disk) made the delivery run again when \
            its lease ended; and an oversized chunked body on a `Connection: close` request left the \
            connection and its buffers stuck (the fuzzer grew the agent to 700 MB and 1,600 open \
            files), now drained and bounded by a 60 s idle timeout.

            | Scenario | Result | Events lost | Duplicates delivered | Time |
            |---|---|---|---|---|

            """
        for result in results {
            let time = result.figures.first { $0.0 == "scenario time" }?.1 ?? ""
            text += "| [\(result.name)](#\(anchor(result.name))) | \(result.passed ? "passed" : "**failed**") | "
            text += "\(total(result, "events lost")) | \(total(result, "duplicates delivered")) | \(time) |\n"
        }
        for result in results {
            text += "\n## \(result.name)\n\n`\(result.command.replacingOccurrences(of: "--quick", with: ""))`\n\n| Figure | Value |\n|---|---|\n"
            for (label, value) in result.figures { text += "| \(label) | \(value) |\n" }
            text += "\n"
            for check in result.checks {
                text += "- \(check.passed ? "✓" : "✗") \(check.claim)\(check.detail.isEmpty ? "" : " — \(check.detail)")\n"
            }
        }
        return text
    }

    static func anchor(_ title: String) -> String {
        title.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : $0 == " " || $0 == "-" ? "-" : "" }.joined()
    }
}
