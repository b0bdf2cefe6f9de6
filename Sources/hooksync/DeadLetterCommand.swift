import ArgumentParser
import HookSync

struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "List dead-lettered deliveries, newest first."
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "At most this many entries.")
    var limit: Int = 100

    @Flag(help: "Print a JSON array.")
    var json = false

    func run() async throws {
        let config = try options.loadConfig()
        let letters = try await options.openInbox(config).deadLetters(limit: limit)
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
