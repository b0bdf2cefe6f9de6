public import ArgumentParser
import HookSync
import HookSyncCore

struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "List events, or show what happened to one.",
        subcommands: [List.self, Show.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List events, newest first.")

        @OptionGroup var options: GlobalOptions

        @Option(help: "Only events of this source.")
        var source: String?

        @Option(help: "Only events in this state: pending, retrying, done or dead.")
        var state: DeliveryState?

        @Option(help: "At most this many events.")
        var limit: Int = 50

        @Flag(help: "Print a JSON array.")
        var json = false

        func run() async throws {
            let config = try options.loadConfig()
            let events = try await options.withInbox(config) { try await $0.events(EventQuery(source: source, state: state, limit: limit)) }
            if json {
                print(try JSONOutput.string(events))
                return
            }
            var table = TextTable(headers: ["SOURCE", "ID", "TYPE", "STATE", "ORIGIN", "ATTEMPTS", "RECEIVED"])
            for event in events {
                table.append([
                    event.source, event.id, event.type, event.state.rawValue, event.origin.rawValue, String(event.attempts),
                    ConsoleTime.rfc3339(event.receivedAt),
                ])
            }
            print(table.render())
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show one event: its arrivals, deliveries and every attempt."
        )

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The provider's event id.")
        var id: String

        @Option(help: "The source, when the id exists in several.")
        var source: String?

        @Flag(help: "Also print the raw body.")
        var body = false

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let config = try options.loadConfig()
            var details = try await options.withInbox(config) { try await $0.eventDetails(id: id, source: source) }
            guard !details.isEmpty else {
                Console.error("no event \(id)\(source.map { " in source \($0)" } ?? "") in the inbox")
                throw ExitCode.failure
            }
            if !body {
                for index in details.indices { details[index].body = "<\(details[index].body.utf8.count) bytes; --body to print>" }
            }
            if json {
                print(try JSONOutput.string(details))
                return
            }
            print(details.map(Self.render).joined(separator: "\n\n"))
        }

        static func render(_ detail: EventDetail) -> String {
            let event = detail.summary
            var lines = [
                "event \(event.id) (source \(event.source))",
                "  type:        \(event.type)",
            ]
            if detail.dedupKey != event.id { lines.append("  dedup key:   \(detail.dedupKey)") }
            lines += [
                "  state:       \(event.state.rawValue)",
                "  origin:      \(event.origin.rawValue), arrived \(event.arrivals) time(s)",
                "  received:    \(ConsoleTime.rfc3339(event.receivedAt)) (last \(ConsoleTime.rfc3339(detail.lastArrivedAt)))",
                "  occurred:    \(event.occurredAt.map(ConsoleTime.rfc3339) ?? "unknown")",
            ]
            if detail.deliveries.isEmpty { lines.append("  deliveries:  none (no route selects this event)") }
            for delivery in detail.deliveries {
                var line = "  route \(delivery.route): \(delivery.state.rawValue), \(delivery.attempts) attempt(s)"
                if let next = delivery.nextAttemptAt { line += ", next at \(ConsoleTime.rfc3339(next))" }
                if delivery.leased { line += ", running now" }
                if delivery.replays > 0 { line += ", replayed \(delivery.replays) time(s)" }
                lines.append(line)
                for attempt in delivery.history {
                    lines.append(
                        "    \(ConsoleTime.rfc3339(attempt.startedAt))  \(attempt.outcome)  \(attempt.durationMs) ms"
                            + (attempt.error.map { "  \($0)" } ?? "")
                    )
                }
                if let error = delivery.lastError, delivery.history.isEmpty { lines.append("    last error: \(error)") }
            }
            lines.append("  body:        \(detail.body)")
            return lines.joined(separator: "\n")
        }
    }
}

extension DeliveryState: ExpressibleByArgument {}
