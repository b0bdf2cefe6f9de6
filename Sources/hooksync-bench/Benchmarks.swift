import Foundation

/// The scenarios in order, and the issue's targets checked against what they measured.
struct Benchmarks {
    let bench: Workbench
    let sizes: Sizes
    let runs: (String) -> Bool

    func run(into report: inout Report) async throws {
        // The HTTP ceiling of this run, which the absolute targets below are also shown against:
        // this shared machine's speed changes by more than 2× from day to day.
        var bareRate: Double?
        if runs("ingest") {
            // Measured before and after the ingest run (A-B-A), so that the machine's drift
            // during the run does not land on one side of the ratio.
            progress("bare baseline")
            var before = try await bench.bare(sizes)
            before.scenario += ", before"
            progress("ingest")
            let (ingest, check) = try await bench.ingest(sizes, ceiling: before.rate)
            progress("bare baseline again")
            var after = try await bench.bare(sizes)
            after.scenario += ", after"
            report.measurements += [before, ingest, after]
            let bare = ((before.rate ?? 0) + (after.rate ?? 0)) / 2
            bareRate = bare
            let ratio = (ingest.rate ?? 0) / max(1, bare)
            report.targets.append(
                TargetCheck(
                    target: "Ingest ≥ 0.5× the bare route (the mean of its runs before and after)",
                    measured: "\(Report.format(ratio, digits: 2))×",
                    met: ratio >= 0.5
                )
            )
            let bareP99 = ((before.p99 ?? .infinity) + (after.p99 ?? .infinity)) / 2
            let p99Ratio = (ingest.p99 ?? .infinity) / max(0.001, bareP99)
            report.targets.append(
                TargetCheck(
                    target: "Ingest p99 ≤ 2× the bare route's p99 at \(sizes.connections) connections",
                    measured: "\(Report.format(ingest.p99 ?? 0, digits: 2)) ms vs \(Report.format(bareP99, digits: 2)) ms "
                        + "(\(Report.format(p99Ratio, digits: 2))×)",
                    met: p99Ratio <= 2
                )
            )
            report.targets.append(TargetCheck(target: "Every acknowledged id stored exactly once", measured: check.summary, met: check.passed))
        }
        if runs("routes") {
            for forward in [true, false] {
                progress(forward ? "ingest with a forward route" : "ingest with an exec route")
                let (ingest, check) = try await bench.ingestWithRoute(sizes, forward: forward, ceiling: bareRate)
                report.measurements.append(ingest)
                report.targets.append(
                    Self.ratioTarget("\(ingest.scenario) ≥ 0.4× the bare route", rate: ingest.rate, bare: bareRate, atLeast: 0.4)
                )
                report.targets.append(
                    TargetCheck(target: "\(ingest.scenario): every acknowledged id stored exactly once", measured: check.summary, met: check.passed)
                )
            }
        }
        if runs("duplicates") {
            progress("duplicates")
            let (half, repeats, committed) = try await bench.duplicates(sizes, ceiling: bareRate)
            report.measurements += [half, repeats]
            report.targets.append(TargetCheck(target: "Duplicates cost no write and no fsync", measured: repeats.note, met: !committed))
        }
        if runs("backfill") {
            progress("backfill")
            let backfill = try await bench.backfill(sizes)
            report.measurements.append(backfill)
            report.targets.append(Self.ratioTarget("Backfill ≥ 1.5× the bare route", rate: backfill.rate, bare: bareRate, atLeast: 1.5))
        }
        if runs("drain") {
            progress("forward drain")
            let (drain, probe, receivedOnce) = try await bench.forwardDrain(sizes)
            report.measurements += [drain, probe.idle, probe.during]
            report.targets.append(
                TargetCheck(target: "Forward drain: the app received each stored event once", measured: drain.note, met: receivedOnce)
            )
            report.targets.append(
                Self.ratioTarget("Forward drain, nothing arriving, ≥ 0.4× the bare route", rate: drain.rate, bare: bareRate, atLeast: 0.4)
            )
            report.targets.append(Self.probeTarget("forward", probe))
        }
        if runs("exec") {
            progress("exec drain")
            let floor = try await bench.spawnFloor(sizes)
            let (drain, probe) = try await bench.execDrain(sizes)
            report.measurements += [floor, drain, probe.idle, probe.during]
            let cpu = drain.cpuPerThousand ?? .infinity
            report.targets.append(
                TargetCheck(
                    target: "Exec drain: the agent's CPU per delivery ≤ 0.65 ms (half of 1.3 ms, 2026-12-02)",
                    measured: "\(Report.format(cpu, digits: 3)) ms; \(Report.format(drain.rate ?? 0, digits: 0)) deliveries/s = "
                        + "\(Report.format((drain.rate ?? 0) / max(1, floor.rate ?? 0), digits: 2))× the spawn floor's rate",
                    met: cpu <= 0.65
                )
            )
            report.targets.append(Self.probeTarget("exec", probe))
        }
        if runs("idle") {
            progress("idle (\(Int(sizes.idleSeconds)) s)")
            let (idle, percent, rss) = try await bench.idle(sizes)
            report.measurements.append(idle)
            report.targets.append(
                TargetCheck(
                    target: "Idle: < 0.5 % CPU and RSS < 50 MB",
                    measured: "\(Report.format(percent, digits: 2)) %, \(Report.format(Double(rss) / 1_048_576, digits: 1)) MB",
                    met: percent < 0.5 && rss < 50 << 20
                )
            )
        }
        if runs("scale") {
            var scaled: [Measurement] = []
            for count in sizes.scale {
                progress("ingest with \(count) stored events")
                let (measurement, _) = try await bench.ingest(
                    sizes,
                    name: "scale-\(count)",
                    title: "Ingest with \(count.formatted()) events stored",
                    populate: count,
                    ceiling: bareRate
                )
                scaled.append(measurement)
            }
            report.measurements += scaled
            if let first = scaled.first, let last = scaled.last, scaled.count > 1 {
                let time = (last.cpuPerThousand ?? .infinity) / max(0.000_001, first.cpuPerThousand ?? 0)
                let memory = Double(last.peakRSS ?? .max) / Double(max(1, first.peakRSS ?? 0))
                report.targets.append(
                    TargetCheck(
                        target: "Flat from \(first.scenario.split(separator: " ")[2]) to \(last.scenario.split(separator: " ")[2]) stored: "
                            + "CPU per event and peak RSS within 1.25×",
                        measured: "CPU per event \(Report.format(time, digits: 2))×, peak RSS \(Report.format(memory, digits: 2))×",
                        met: time <= 1.25 && memory <= 1.25
                    )
                )
            }
        }
        if runs("postgres") {
            // SQLite ingest before and after the PostgreSQL runs (A-B-A), as for the bare route.
            progress("SQLite ingest (PostgreSQL's reference)")
            var sqliteBefore = try await bench.ingest(
                sizes,
                name: "pg-reference-before",
                title: "Ingest, SQLite (reference), before",
                wrk: false
            ).0
            progress("PostgreSQL ingest, one agent")
            let (one, oneCheck, perWrite) = try await bench.postgresIngest(sizes, agents: 1)
            progress("PostgreSQL ingest, two agents")
            let (two, twoCheck, _) = try await bench.postgresIngest(sizes, agents: 2)
            progress("SQLite ingest again")
            var sqliteAfter = try await bench.ingest(
                sizes,
                name: "pg-reference-after",
                title: "Ingest, SQLite (reference), after",
                wrk: false
            ).0
            sqliteBefore.note = ""
            sqliteAfter.note = ""
            progress("PostgreSQL's own ceiling (pgbench)")
            let ceiling = try await bench.postgresCeiling(sizes, rows: max(1, Int(perWrite.rounded())))
            progress("PostgreSQL forward drain, one agent")
            let (drainOne, _) = try await bench.postgresDrain(sizes, agents: 1)
            progress("PostgreSQL forward drain, two agents")
            let (drainTwo, receivedOnce) = try await bench.postgresDrain(sizes, agents: 2)
            progress("PostgreSQL repeats and rest")
            let (rest, repeats, writesPerThousand) = try await bench.postgresRepeats(sizes)
            report.measurements += [sqliteBefore, one, two, sqliteAfter, ceiling, drainOne, drainTwo, rest, repeats]

            let sqlite = ((sqliteBefore.rate ?? 0) + (sqliteAfter.rate ?? 0)) / 2
            let ratio = (one.rate ?? 0) / max(1, sqlite)
            report.targets.append(
                TargetCheck(
                    target: "PostgreSQL, one agent: ingest ≥ 0.5× SQLite ingest (the mean of its runs before and after)",
                    measured: "\(Report.format(ratio, digits: 2))×",
                    met: ratio >= 0.5
                )
            )
            let scaling = (two.rate ?? 0) / max(1, one.rate ?? 0)
            report.targets.append(
                TargetCheck(
                    target: "PostgreSQL, two agents (load split) ≥ 1.0× one agent",
                    measured: "\(Report.format(scaling, digits: 2))×",
                    met: scaling >= 1.0
                )
            )
            report.targets.append(
                TargetCheck(
                    target: "PostgreSQL: every acknowledged id stored exactly once, with one agent and with two",
                    measured: "one: \(oneCheck.summary); two: \(twoCheck.summary)",
                    met: oneCheck.passed && twoCheck.passed
                )
            )
            report.targets.append(
                TargetCheck(
                    target: "PostgreSQL: a repeat costs no write transaction (≤ 1 per 1,000 repeats beyond an agent at rest)",
                    measured: "\(Report.format(writesPerThousand, digits: 2)) per 1,000 repeats",
                    met: writesPerThousand <= 1
                )
            )
            report.targets.append(
                TargetCheck(
                    target: "PostgreSQL: a drain shared by two agents delivers each event once",
                    measured: drainTwo.note,
                    met: receivedOnce
                )
            )
        }
        if runs("peer") {
            progress("peer")
            if let peer = try await bench.peer(sizes) {
                report.measurements.append(peer)
            } else {
                report.notes.append("Debian's `webhook` is not installed: no peer row.")
            }
        }
        // Over every scenario that ran the agent, whatever its load.
        let measured = report.measurements.filter(\.isAgent).compactMap { m in m.peakRSS.map { (m.scenario, $0) } }
        if let (scenario, peak) = measured.max(by: { $0.1 < $1.1 }) {
            report.targets.append(
                TargetCheck(
                    target: "Agent RSS < 150 MB in every scenario",
                    measured: "\(Report.format(Double(peak) / 1_048_576, digits: 1)) MB at most (\(scenario)), over \(measured.count) scenarios",
                    met: peak < 150 << 20
                )
            )
        }
    }

    private func progress(_ what: String) {
        print("hooksync-bench: \(what)…")
    }

    /// A rate that must reach `atLeast` times the bare route of this run; unmet when the bare
    /// route did not run (`--only` without `ingest`).
    static func ratioTarget(_ target: String, rate: Double?, bare: Double?, atLeast: Double) -> TargetCheck {
        guard let bare, bare > 0 else {
            return TargetCheck(target: target, measured: "the bare route did not run (add `ingest`)", met: false)
        }
        let ratio = (rate ?? 0) / bare
        return TargetCheck(
            target: target,
            measured: "\(Report.format(ratio, digits: 2))× (\(Report.format(rate ?? 0, digits: 0)) against \(Report.format(bare, digits: 0))/s)",
            met: ratio >= atLeast
        )
    }

    static func probeTarget(_ route: String, _ probe: Workbench.DrainProbe) -> TargetCheck {
        TargetCheck(
            target: "Receiver p99 at 200 req/s during the \(route) drain ≤ 2× on an idle worker",
            measured: "\(Report.format(probe.during.p99 ?? 0, digits: 2)) ms vs \(Report.format(probe.idle.p99 ?? 0, digits: 2)) ms "
                + "(\(Report.format(probe.ratio, digits: 2))×)",
            met: probe.ratio <= 2
        )
    }
}
