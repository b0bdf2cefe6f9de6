import ArgumentParser
import HookSync
import HookSyncCore

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the configuration, providers and secrets; print every problem found."
    )

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let setup = try options.loadSetup()
        let config = setup.config
        print("\(config.file): OK")
        for source in config.sources {
            let provider = setup.sources[source.name]?.provider
            let polls = source.polling.effectiveSchedule(mode: source.mode).map { ", polls \($0)" } ?? ""
            print(
                "  source \(source.name): provider \(source.provider) (\(provider?.origin ?? "?")), mode \(source.mode.rawValue), \(source.webhookSecrets.count) secret(s)\(polls)"
            )
        }
        for route in config.routes {
            print(
                "  route \(route.name): source \(route.source), events \(route.events.map(\.pattern).joined(separator: ", ")), max \(route.maxAttempts) attempts"
            )
        }
    }
}
