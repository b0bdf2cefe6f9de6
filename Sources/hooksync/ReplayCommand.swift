import ArgumentParser
import Foundation
import HookSync
import HookSyncCore

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-queue dead deliveries with their attempts reset; each keeps a count of its replays.",
        discussion: """
            Select by event ids, by --route, --source, --type, --since, --older-than (combined), or \
            take --all-dead. Only dead deliveries are touched: a route that succeeded is not run again.
            """
    )

    @OptionGroup var options: GlobalOptions
    @OptionGroup var filters: DeadLetterCommand.Filters

    @Argument(help: "Provider event ids whose dead deliveries to replay.")
    var ids: [String] = []

    @Flag(help: "Replay every dead delivery.")
    var allDead = false

    func validate() throws {
        let selective = !ids.isEmpty || !filters.isEmpty
        if selective == allDead {
            throw ValidationError("give event ids or filters (--route, --source, --type, --since, --older-than), or --all-dead")
        }
    }

    func run() async throws {
        let config = try options.loadConfig()
        let selection: ReplaySelection = allDead ? .allDead : .matching(try filters.filter(events: ids))
        let count = try await options.withInbox(config) { try await $0.replay(selection, now: Date()) }
        guard count > 0 else {
            Console.error(allDead ? "the dead-letter table is empty" : "no dead delivery matches")
            throw ExitCode.failure
        }
        print("replayed \(count) deliver\(count == 1 ? "y" : "ies"); the agent runs \(count == 1 ? "it" : "them") now")
    }
}
