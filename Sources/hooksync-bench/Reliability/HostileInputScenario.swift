import Crypto
import Foundation
import GRDB
import HookSyncCore
import NIOCore
import Synchronization

extension ReliabilitySuite {
    /// The hostile scenario's `[http] idle_timeout`: short, so the closing is seen in the run.
    static let hostileIdleTimeout = Duration.seconds(3)

    /// What `after` holds beyond `before`, a descriptor target each.
    static func added(_ after: [String], to before: [String]) -> [String] {
        var remaining = before
        return after.filter { target in
            guard let index = remaining.firstIndex(of: target) else { return true }
            remaining.remove(at: index)
            return false
        }
    }

    /// 7. Random and mangled requests, slow clients and idle connections against the receiver,
    /// then replays outside the tolerance. The agent must stay up with bounded memory, store
    /// nothing it did not get a valid signature for, and log neither secrets nor bodies.
    func hostileInput() async throws -> ReliabilityResult {
        var result = ReliabilityResult("Hostile input", command: command("hostile"))
        let agent = try AgentUnderTest(
            bench,
            name: "hostile",
            config: source(mode: "webhook") + """

                [[sources]]
                name = "strict"
                provider = "stripe"
                mode = "webhook"
                webhook_secret = "file:./webhook-secret"
                tolerance = "2s"
                """,
            http: "idle_timeout = \"\(Int(Self.hostileIdleTimeout.seconds))s\""
        )
        try await agent.start()
        let port = agent.port
        let secret = SymmetricKey(data: Array(bench.secret.utf8))
        guard let process = agent.process else { throw BenchError("the agent did not start") }
        let baseline = try process.sample().rssBytes
        let pid = process.pid
        /// What each of the agent's descriptors refers to.
        func openFiles() -> [String] {
            let directory = "/proc/\(pid)/fd"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            return names.map { (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\($0)")) ?? "?" }
        }
        let filesBefore = openFiles()

        // Idle connections: the agent must close each once it has been silent for idle_timeout.
        var idle: [NIOAsyncChannel<ByteBuffer, ByteBuffer>] = []
        let idleLifetimes = Mutex<[Duration]>([])
        for _ in 0..<sizes.idleConnections {
            let opened = ContinuousClock.now
            let channel = try await RawHTTP.connect(port: port)
            channel.channel.closeFuture.whenComplete { _ in idleLifetimes.withLock { $0.append(.now - opened) } }
            idle.append(channel)
        }
        // Slow clients: a valid request, one byte a second.
        let slowSeconds = sizes.slowSeconds
        let slowBody = FuzzCase.eventBody(id: "evt_slow")
        let slowRequest = FuzzCase.request(
            port: port,
            body: slowBody,
            headers: [("Content-Type", "application/json"), ("Stripe-Signature", FuzzCase.signature(slowBody, secret: secret))]
        )
        let slow = Task {
            await withTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        guard let channel = try? await RawHTTP.connect(port: port) else { return 0 }
                        let deadline = ContinuousClock.now + .seconds(slowSeconds)
                        var sent = 0
                        try? await channel.executeThenClose { _, outbound in
                            for byte in slowRequest where ContinuousClock.now < deadline {
                                try await outbound.write(ByteBuffer(bytes: [byte]))
                                sent += 1
                                try await Task.sleep(for: .seconds(1))
                            }
                        }
                        return sent
                    }
                }
                return await group.reduce(0, +)
            }
        }
        // Memory, sampled through the run.
        let sampler = Task {
            var peak = 0
            while !Task.isCancelled {
                peak = max(peak, (try? ProcessSample.read(pid: pid).rssBytes) ?? 0)
                try? await Task.sleep(for: .milliseconds(100))
            }
            return peak
        }

        var generator = SplitMix64(seed: seed)
        var legitimate: Set<String> = []
        @Sendable func digest(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }
        var answers: [FuzzCase.Kind: [Int: Int]] = [:]
        var controls: [(id: String, status: Int?, seconds: Double)] = []
        var controlBodies: [String] = []
        let started = ContinuousClock.now
        let controlEvery = 50
        try await withThrowingTaskGroup(of: (FuzzCase.Kind?, RawHTTP.Answer, (id: String, digest: String)?, Double).self) { group in
            var next = 0
            func add() {
                guard next < sizes.fuzzCases else { return }
                // Made as they are sent: the big cases would take gigabytes all at once.
                let fuzz = FuzzCase.make(next, id: "evt_fz_\(next)", port: port, secret: secret, using: &generator)
                if let event = fuzz.event { legitimate.insert(digest(event)) }
                let control = next.isMultiple(of: controlEvery) ? "evt_ctl_\(next)" : nil
                next += 1
                group.addTask {
                    if let control {
                        // A genuine event amid the noise: it must still go through, promptly.
                        let body = FuzzCase.eventBody(id: control)
                        let request = FuzzCase.request(
                            port: port,
                            body: body,
                            headers: [("Content-Type", "application/json"), ("Stripe-Signature", FuzzCase.signature(body, secret: secret))]
                        )
                        let sent = ContinuousClock.now
                        let answer = try await RawHTTP.exchange(port: port, request: request, finish: true)
                        return (nil, answer, (control, digest(body)), (ContinuousClock.now - sent).seconds)
                    }
                    return (fuzz.kind, try await RawHTTP.exchange(port: port, request: fuzz.request, finish: fuzz.finish), nil, 0)
                }
            }
            for _ in 0..<16 { add() }
            while let (kind, answer, control, seconds) = try await group.next() {
                if let kind { answers[kind, default: [:]][answer.status ?? 0, default: 0] += 1 }
                if let control {
                    controls.append((control.id, answer.status, seconds))
                    controlBodies.append(control.digest)
                }
                add()
            }
        }
        legitimate.formUnion(controlBodies)
        let fuzzTime = ContinuousClock.now - started
        let slowBytes = await slow.value
        let stillUp = agent.isRunning
        let health = try? await bench.get("http://127.0.0.1:\(port)/healthz")
        _ = try? await bench.waitUntil("the agent to close the idle connections", timeout: Self.hostileIdleTimeout + .seconds(30)) {
            idleLifetimes.withLock { $0.count } == idle.count
        }
        let lifetimes = idleLifetimes.withLock { $0 }
        for channel in idle { try? await channel.channel.close() }
        // Every connection the fuzzer and the idle clients opened must be closed by now.
        _ = try? await bench.waitUntil("the agent's connections to close", timeout: .seconds(10)) { openFiles().count <= filesBefore.count }
        let filesAfter = openFiles()

        // Replays of a captured valid request once it is older than the strict source's 2 s.
        func strict(_ id: String, at time: Int = Int(Date().timeIntervalSince1970)) -> [UInt8] {
            let body = FuzzCase.eventBody(id: id)
            legitimate.insert(digest(body))
            return FuzzCase.request(
                path: "/webhooks/strict",
                port: port,
                body: body,
                headers: [("Content-Type", "application/json"), ("Stripe-Signature", FuzzCase.signature(body, secret: secret, at: time))]
            )
        }
        let sentAtOnce = strict("evt_replay_sent")
        let heldBack = strict("evt_replay_held")
        let fresh = try await RawHTTP.exchange(port: port, request: sentAtOnce, finish: true).status
        try await Task.sleep(for: .seconds(3))
        let replayed = try await RawHTTP.exchange(port: port, request: sentAtOnce, finish: true).status
        let late = try await RawHTTP.exchange(port: port, request: heldBack, finish: true).status
        sampler.cancel()
        let peak = await sampler.value
        await agent.stop()

        let bodies = try agent.read { db in
            try Row.fetchAll(db, sql: "SELECT source, event_id, body FROM event").map {
                ($0["source"] as String, $0["event_id"] as String, [UInt8]($0["body"] as Data))
            }
        }
        let forged = bodies.filter { !legitimate.contains(digest($0.2)) }
        let stored = Set(bodies.map { $0.1 })
        let controlFailures = controls.filter { $0.status != 200 || !stored.contains($0.id) }

        result.figure("requests", "\(sizes.fuzzCases) hostile, \(controls.count) genuine among them, in \(fuzzTime.formatted) (16 at a time)")
        for kind in FuzzCase.Kind.allCases {
            let statuses = (answers[kind] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key == 0 ? "closed" : String($0.key)) ×\($0.value)" }
            result.figure("answers: \(kind.rawValue)", statuses.joined(separator: ", "))
        }
        result.figure("idle connections held", sizes.idleConnections)
        result.figure("slow clients", "4, a byte a second for \(Int(slowSeconds)) s (\(slowBytes) bytes in all)")
        result.figure("agent memory", "\(baseline / 1_048_576) MiB before, peak \(peak / 1_048_576) MiB")
        result.figure("slowest genuine request during the run", String(format: "%.3f s", controls.map(\.seconds).max() ?? 0))
        result.figure("stored from hostile requests (validly signed events only)", stored.filter { $0.hasPrefix("evt_fz_") }.count)
        result.check("the agent never crashed and still answers /healthz", stillUp && health != nil)
        result.check(
            "no connection left open: the agent's open files are back to where they started",
            filesAfter.count <= filesBefore.count,
            "\(filesBefore.count) before, \(filesAfter.count) after"
                + (filesAfter.count > filesBefore.count ? "; new: \(Self.added(filesAfter, to: filesBefore).joined(separator: ", "))" : "")
        )
        let timeout = Self.hostileIdleTimeout.seconds
        let shortest = lifetimes.map(\.seconds).min() ?? 0
        let longest = lifetimes.map(\.seconds).max() ?? 0
        result.check(
            "the agent closed every idle connection after idle_timeout (\(Int(timeout)) s), not before",
            lifetimes.count == idle.count && shortest >= timeout - 0.05 && longest <= timeout + 5,
            String(format: "%d of %d closed, after %.2f–%.2f s", lifetimes.count, idle.count, shortest, longest)
        )
        result.check("memory stayed bounded (peak under 256 MiB)", peak < 256 * 1_048_576, "\(peak / 1_048_576) MiB")
        result.check(
            "no forged event stored: every stored body was signed with the secret",
            forged.isEmpty,
            "\(forged.count) forged: \(forged.prefix(3).map(\.1))"
        )
        result.check("every genuine event amid the noise was stored", controlFailures.isEmpty, "\(controlFailures.count) of \(controls.count) failed")
        result.check("a fresh request to the strict source was accepted", fresh == 200, "\(fresh.map(String.init) ?? "none")")
        result.check(
            "replays outside the 2 s tolerance were refused with 401 and stored nothing",
            replayed == 401 && late == 401 && !stored.contains("evt_replay_held"),
            "replayed \(replayed ?? 0), held back \(late ?? 0)"
        )
        return result
    }

    /// Every agent log of this run must be free of secrets and bodies.
    func logCheck(into result: inout ReliabilityResult) {
        let logs = (FileManager.default.enumerator(atPath: bench.directory)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".log") && ($0.contains("agent")) }
        let needles = [
            ("the webhook secret", bench.secret), ("the API key", bench.apiKey), ("a body (canary)", FuzzCase.canary),
            ("a body (amount_paid)", "amount_paid"),
        ]
        var lines = 0
        var found: [String] = []
        for log in logs {
            let text = (try? String(contentsOfFile: "\(bench.directory)/\(log)", encoding: .utf8)) ?? ""
            lines += text.split(separator: "\n").count
            for (what, needle) in needles where text.contains(needle) { found.append("\(what) in \(log)") }
        }
        result.figure("log lines searched for secrets and bodies", "\(lines) in \(logs.count) files")
        result.check("no log line holds a secret, the API key or a body", found.isEmpty && lines > 0, found.prefix(5).joined(separator: "; "))
    }
}
