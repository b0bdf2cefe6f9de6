import ArgumentParser
import Foundation
import HookSync
import HookSyncCore

struct ProvidersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "providers",
        abstract: "List the built-in providers and those loaded from providers_dir.",
        discussion: "Without a configuration file, lists the built-in providers only."
    )

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() async throws {
        let directory = FileManager.default.fileExists(atPath: options.config) ? try options.loadConfig().providersDirectory : nil
        let registry: ProviderRegistry
        do {
            registry = try ProviderRegistry.load(directory: directory)
        } catch {
            Console.printIssues(error)
            throw ExitCode.failure
        }
        let list = ProviderList(registry: registry)
        print(json ? try JSONOutput.string(list) : list.render())
    }
}
