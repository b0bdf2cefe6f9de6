import ArgumentParser
import Foundation
import HookSync

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-queue dead deliveries with their attempts reset."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "Provider event ids whose dead deliveries to replay.")
    var ids: [String] = []

    @Option(help: "The source, when an id exists in several.")
    var source: String?

    @Flag(help: "Replay every dead delivery.")
    var allDead = false

    func validate() throws {
        if ids.isEmpty == !allDead {
            throw ValidationError("give event ids or --all-dead (not both)")
        }
    }

    func run() async throws {
        let config = try options.loadConfig()
        let selection: ReplaySelection = allDead ? .allDead : .events(ids, source: source)
        let count = try await options.openInbox(config).replay(selection, now: Date())
        guard count > 0 else {
            Console.error(allDead ? "the dead-letter table is empty" : "no dead delivery for \(ids.joined(separator: ", "))")
            throw ExitCode.failure
        }
        print("replayed \(count) deliver\(count == 1 ? "y" : "ies"); the agent runs \(count == 1 ? "it" : "them") now")
    }
}
