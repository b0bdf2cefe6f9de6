import ArgumentParser
import HookSync

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show whether the agent runs and what each source and route holds."
    )

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() async throws {
        let config = try options.loadConfig()
        let report = try await StatusReport.gather(config: config)
        print(json ? try JSONOutput.string(report) : report.render())
    }
}
