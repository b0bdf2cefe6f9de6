import ArgumentParser
import Foundation
import HookSync
import HookSyncCore
import Logging

struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Poll a source's event API now for a time window and store what the inbox lacks.",
        discussion: """
            Works whether or not the agent runs: events it stores are delivered by the running \
            agent, or at its next start. What the inbox already has is counted as a duplicate and \
            not delivered again. Prints a progress line per page.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The source to backfill.")
    var source: String

    @Option(help: "How far back to look, such as 24h or 3d.")
    var since: String = "24h"

    func run() async throws {
        let setup = try options.loadSetup()
        let resolved = try options.source(source, in: setup)
        guard let feed = resolved.feed else {
            Console.error("source \"\(source)\" does not poll: set mode = \"poll\" or \"hybrid\" and api_key to backfill it")
            throw ExitCode.failure
        }
        guard let window = ConfigDuration.parse(since) else {
            Console.error("--since \"\(since)\": expected a duration such as 24h or 3d")
            throw ExitCode.failure
        }
        if let retention = resolved.provider.api?.retention, window > retention {
            Console.error(
                "warning: \(resolved.provider.title)'s API keeps \(ConfigDuration.format(retention)); older events cannot be listed"
            )
        }
        let config = setup.config
        let inbox: any Inbox
        do {
            inbox = try await InboxFactory.open(config: config, access: .create)
        } catch {
            Console.error("\(error)")
            throw ExitCode.failure
        }
        var logger = Logger(label: "hooksync")
        logger.logLevel = .warning
        let name = resolved.name
        let pass = PollPass(
            source: resolved,
            feed: feed,
            transport: HTTPFeedTransport(),
            inbox: inbox,
            routes: { config.selectRoutes(source: name, type: $0, document: $1) },
            countsMissed: resolved.config.mode == .hybrid,
            grace: resolved.config.polling.grace,
            clock: ContinuousClock(),
            logger: logger,
            progress: { summary in print("backfill \(name): \(summary.line)") }
        )
        // A Svix iterator cannot be rewound by time: backfill catches up from it instead.
        let rescan = resolved.provider.api?.style != .svixPoller
        let summary = try await inbox.closing { try await pass.run(since: Date().addingTimeInterval(-window.seconds), rescan: rescan) }
        print("backfill \(name) done: \(summary.line)")
    }
}
