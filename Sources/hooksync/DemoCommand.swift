import ArgumentParser
import Foundation
import HookSync
import Logging

#if canImport(Glibc)
import Glibc
import HookSyncCore
import HookSyncDemo
#endif

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Watch hooksync merge webhooks and polling: a simulated Stripe drops some webhooks, polling recovers them.",
        discussion: """
            Runs a simulated Stripe API and a real agent (receiver, hybrid poller, worker, SQLite \
            inbox) on loopback, with no configuration and nothing sent outside this machine. \
            The line shows events received by webhook, recovered by polling, duplicates dropped, \
            delivered and dead. Exits 0 when every event was delivered exactly once.
            """
    )

    @Option(help: "How long to generate events, such as 30s or 2m.")
    var duration: String = "30s"

    @Option(help: "Events per second.")
    var rate: Double = 5

    @Option(help: "The share of webhooks the simulated provider drops, from 0 to 1.")
    var drop: Double = 0.3

    @Option(help: "Keep the demo's inbox here instead of a temporary directory.")
    var dataDir: String?

    func run() async throws {
        guard let length = ConfigDuration.parse(duration), length > .zero else {
            throw ValidationError("--duration \"\(duration)\": expected a duration such as 30s or 2m")
        }
        guard (0...1).contains(drop) else { throw ValidationError("--drop must be between 0 and 1") }
        guard rate > 0 else { throw ValidationError("--rate must be above 0") }
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("hooksync-demo-\(UUID().uuidString)").path
        let directory = dataDir ?? temporary
        defer { if dataDir == nil { try? FileManager.default.removeItem(atPath: temporary) } }
        var logger = Logger(label: "hooksync-demo")
        logger.logLevel = .critical
        let interactive = isatty(STDOUT_FILENO) != 0
        print(
            "hooksync demo: a simulated Stripe creates \(rate) event(s)/s for \(ConfigDuration.format(length)) and drops \(Int(drop * 100))% of their webhooks"
        )
        let demo = Demo(dataDirectory: directory, duration: length, rate: rate, drop: drop, logger: logger)
        let summary = try await demo.run { summary in
            if interactive {
                FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + summary.line).utf8))
            } else {
                print(summary.line)
            }
        }
        if interactive { print("") }
        print("demo finished: " + summary.line)
        guard summary.settled, summary.delivered == summary.generated else {
            Console.error("not every event was delivered within a minute of the end; inbox kept at \(directory)")
            throw ExitCode.failure
        }
        print("every event was stored once and delivered once; \(summary.recoveredByPolling) of them only because polling found them")
    }
}
