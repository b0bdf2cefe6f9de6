public import ArgumentParser
import HookSync
import HookSyncCore
import Logging

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the agent until SIGTERM or SIGINT."
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "Log format: text (one line each, level first after the time) or json (one object per line).")
    var logFormat: LogFormat = .text

    enum LogFormat: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    func run() async throws {
        let setup = try options.loadSetup()
        let level = logLevel
        let format = logFormat
        LoggingSystem.bootstrap { label in
            LineLogHandler(label: label, level: level, format: format == .json ? .json : .text)
        }
        let logger = Logger(label: "hooksync")
        do {
            try await Agent.run(setup: setup, logger: logger)
        } catch let error as ConfigError {
            Console.printIssues(error)
            throw ExitCode.failure
        } catch {
            Console.error("\(error)")
            throw ExitCode.failure
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
