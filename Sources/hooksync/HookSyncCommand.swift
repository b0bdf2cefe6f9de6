import ArgumentParser
import HookSync
import HookSyncCore

@main
struct HookSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hooksync",
        abstract: "Keeps a host in sync with webhook providers: receive, poll, store once, deliver.",
        version: HookSyncVersion.string,
        subcommands: [
            RunCommand.self, CheckCommand.self, StatusCommand.self, EventsCommand.self, DeadLetterCommand.self,
            ReplayCommand.self, SendTestCommand.self, ProvidersCommand.self, VerifyCommand.self, BackfillCommand.self, InboxCommand.self,
            DemoCommand.self,
        ]
    )
}
