import Foundation

/// `docs/benchmarks.md`: the table of a full run, the machine it ran on and how to repeat it.
struct BenchmarksDocument {
    var report: Report
    var sizes: Sizes

    var text: String {
        """
        # Benchmarks

        Written by `make bench` (`hooksync-bench run`) on \(Self.today()); do not edit by hand. How the
        figures are reached, and what limits them, is in [performance.md](performance.md).

        ## Machine

        \(Self.machine())

        This machine is shared and noisy: compare the figures within one run (the ratios below), not
        across runs.

        ## Commands

        ```sh
        make bench                      # release build, every scenario, rewrites this file
        .build/release/hooksync-bench run --only ingest,duplicates   # some scenarios, no file
        .build/release/hooksync-bench run --quick                    # a smoke run of every scenario
        ```

        Every scenario starts fresh processes (the release `hooksync` binary, the baselines and the
        mocks are separate processes) and a fresh inbox in a temporary directory.

        Every full-speed HTTP load is driven by wrk (Debian's package, 2 threads) with a Lua script
        sending requests signed beforehand, each once, and reading the event id of each 2xx answer
        back, so the inbox check knows exactly what was acknowledged; each row says what wrk cost in
        CPU per request (os.clock() of the whole process, less the loading of the requests). The
        200 requests/s probes, which need a fixed schedule wrk cannot keep, and the PostgreSQL
        scenarios, whose load is split between two agents, use this program's own NIO generator,
        as does the SQLite reference ingest beside them.

        - **Bare route**: a Hummingbird route answering 200 with no work, the HTTP ceiling here,
          under the ingest load just before and just after the ingest run; the ingest ratio is
          taken against the mean of the two, and the absolute targets are also shown against it.
        - **Ingest**: unique, correctly signed Stripe `invoice.paid` events (about 1 KB, fresh
          timestamps) from \(sizes.connections) keep-alive connections for \(Int(sizes.loadSeconds)) s, after a 2 s
          warm-up with events of another run; the route
          wants `payout.*`, so events are stored and nothing is delivered. `synchronous = FULL`:
          each answer follows the fsync'd commit that holds its event. Afterwards the inbox is
          read and every acknowledged id must be there exactly once.
        - **Ingest with a route**: the same load with a route taking every event, forwarding it to
          the local app (64 worker slots), or running `/bin/true`: the worker drains while events
          arrive, yielding to the receiver.

        - **Duplicates**: the same load with every other request repeating an earlier event; then
          \(Int(sizes.loadSeconds / 2)) s of repeats only, during which the inbox's `PRAGMA data_version` and
          WAL size must not change.
        - **Backfill**: a poll-only Stripe source catching up on \(sizes.backfillEvents.formatted()) events of a
          local mock of `GET /v1/events` (pages of 100), timed from the agent's launch.
        - **Drain**: \(sizes.drainEvents.formatted()) stored events forwarded (re-signed, 64 worker slots) to
          a local app that answers 200 and counts them (requests, and distinct events), and
          \(sizes.execDrainEvents.formatted()) through an exec route running `/bin/true`, with nothing arriving; timed
          from launch to the app's last delivery (the exec drain: to the inbox's last `done`). Then,
          for each, the receiver's latency at 200 requests/s for \(Int(sizes.loadSeconds / 2)) s on an agent with
          nothing to deliver, and on one started on the same backlog (how much the drain delivered
          meanwhile is in the row). Beside the exec drain, its floor: `/bin/true` started with
          `posix_spawn` and reaped in a loop on each core by a process doing nothing else.
        - **Idle**: a webhook source, a polling source and a route, \(Int(sizes.idleSeconds)) s without traffic.
        - **Stored events**: the ingest load for \(Int(sizes.scaleSeconds)) s against inboxes already holding
          \(sizes.scale.map { $0.formatted() }.joined(separator: ", ")) events.
        - **PostgreSQL**: a throwaway server (Debian's `postgresql`, its default settings:
          `synchronous_commit = on`, `fsync = on`) on this machine, a fresh database per scenario.
          The ingest load through one agent, then through two agents on one inbox with the
          connections split between them as a load balancer would, between two SQLite ingest runs
          (A-B-A); the two agents share the machine's 2 cores with the server and the load
          generator, so two agents ≥ one shows that contention does not collapse throughput, not
          that a second host doubles it. Then `pgbench` committing the same events in a multi-row insert
          with as many rows as the one-agent run averaged per write transaction: the database's
          own ceiling here. The forward drain with one agent and with two sharing the backlog,
          counted by the app. Last, an agent at rest for \(Int(sizes.loadSeconds / 2)) s, then the same agent taking
          \(Int(sizes.loadSeconds / 2)) s of repeats only, each phase from start to stop: commits from
          `pg_stat_database` (which counts a transaction that writes nothing as a commit: the agent's one per batch
          of repeats), write transactions from the transaction ids the server handed out, WAL from
          its position and `pg_stat_wal`.
        - **Peer**: Debian's `webhook` package (adnanh/webhook, the version its binary reports is in
          the row) with an HMAC-SHA256 rule running `/bin/true`, under the ingest load; it stores
          nothing and answers before the command ends.

        Latencies are of requests answered 2xx; a request that failed (another status, or no
        answer) ranks above every latency, so a percentile that reaches into failures reads
        "failed" instead of leaving them out. At a fixed rate (the 200 requests/s loads) each
        request is timed from when it was due, not from when it left: a request held back behind
        a slow answer counts the wait (coordinated omission, corrected as wrk2 does).
        CPU s/1k is the process's user+system CPU time per 1,000 events (or requests); peak RSS is
        its `VmHWM`, the idle row shows `VmRSS` at the end; the agent's memory target is taken
        over every scenario it ran in.

        ## Results

        \(report.table())

        ## Targets

        \(report.targetTable())
        \(report.notes.isEmpty ? "" : "\n" + report.notes.map { "- \($0)" }.joined(separator: "\n") + "\n")
        """
    }

    static func today() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }

    static func machine() -> String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model =
            cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        let memory =
            (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8))?
            .split(separator: "\n").first?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        var name = utsname()
        uname(&name)
        let kernel = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores (\(model)), \(memory / 1_048_576) GiB, Linux \(kernel)."
    }
}
