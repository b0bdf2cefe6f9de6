import ArgumentParser
import Foundation
import HookSync
import HookSyncCore

struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "Inspect, and on purpose only purge, dead-lettered deliveries.",
        subcommands: [List.self, Show.self, Purge.self],
        defaultSubcommand: List.self
    )

    /// The filters every dlq subcommand and `replay` share.
    struct Filters: ParsableArguments {
        @Option(help: "Only this source.")
        var source: String?

        @Option(help: "Only this route.")
        var route: String?

        @Option(help: "Only event types matching this glob, such as invoice.*.")
        var type: String?

        @Option(help: "Only dead-lettered within this long, such as 1h or 7d.")
        var since: String?

        @Option(help: "Only dead-lettered longer ago than this, such as 30d.")
        var olderThan: String?

        var isEmpty: Bool { source == nil && route == nil && type == nil && since == nil && olderThan == nil }

        func filter(events: [String] = [], now: Date = Date()) throws -> DeadLetterFilter {
            func ago(_ text: String?, _ flag: String) throws -> Date? {
                guard let text else { return nil }
                guard let duration = ConfigDuration.parse(text) else {
                    throw ValidationError("\(flag) \"\(text)\": expected a duration such as 1h or 30d")
                }
                return now.addingTimeInterval(-duration.seconds)
            }
            return DeadLetterFilter(
                events: events,
                source: source,
                route: route,
                type: type.map(EventTypeGlob.init),
                since: try ago(since, "--since"),
                before: try ago(olderThan, "--older-than")
            )
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List dead-lettered deliveries, newest first.")

        @OptionGroup var options: GlobalOptions
        @OptionGroup var filters: Filters

        @Option(help: "At most this many entries.")
        var limit: Int = 100

        @Flag(help: "Print a JSON array.")
        var json = false

        func run() async throws {
            let config = try options.loadConfig()
            let letters = try await options.withInbox(config) { try await $0.deadLetters(try filters.filter(), limit: limit) }
            if json {
                print(try JSONOutput.string(letters))
                return
            }
            var table = TextTable(headers: ["SOURCE", "ID", "TYPE", "ROUTE", "ATTEMPTS", "FAILED", "LAST ERROR"])
            for letter in letters {
                table.append([
                    letter.source, letter.id, letter.type, letter.route, String(letter.attempts), ConsoleTime.rfc3339(letter.failedAt),
                    String(letter.lastError.split(separator: "\n").first ?? ""),
                ])
            }
            print(table.render())
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a dead-lettered event: its deliveries and every attempt with time, duration and error."
        )

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The event id (or dedup key) as dlq lists it.")
        var id: String

        @Option(help: "The source, when the id exists in several.")
        var source: String?

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let config = try options.loadConfig()
            let details = try await options.withInbox(config) { inbox in
                guard try await !inbox.deadLetters(DeadLetterFilter(events: [id], source: source), limit: 1).isEmpty else {
                    Console.error("no dead delivery for \(id)\(source.map { " in source \($0)" } ?? "") (hooksync dlq lists them)")
                    throw ExitCode.failure
                }
                return try await inbox.eventDetails(id: id, source: source)
            }
            print(json ? try JSONOutput.string(details) : details.map(EventsCommand.Show.render).joined(separator: "\n\n"))
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "purge",
            abstract: "Delete dead letters older than a given age, with their events when nothing else refers to them.",
            discussion: "Dead letters are never deleted otherwise: not by retention, not by replay's absence."
        )

        @OptionGroup var options: GlobalOptions
        @OptionGroup var filters: Filters

        func validate() throws {
            if filters.olderThan == nil { throw ValidationError("--older-than is required: purging is always limited by age") }
        }

        func run() async throws {
            let config = try options.loadConfig()
            let purged = try await options.withInbox(config) { try await $0.purgeDeadLetters(try filters.filter()) }
            print("purged \(purged) dead deliver\(purged == 1 ? "y" : "ies")")
        }
    }
}
