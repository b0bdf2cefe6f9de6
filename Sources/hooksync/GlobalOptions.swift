import ArgumentParser
import Foundation
import HookSync
import HookSyncCore

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The configuration file (default: $HOOKSYNC_CONFIG, else ./hooksync.toml).")
    var config: String = ProcessInfo.processInfo.environment["HOOKSYNC_CONFIG"] ?? "./hooksync.toml"

    /// Loads the configuration, printing every issue and failing when there are any.
    func loadConfig() throws -> AgentConfig {
        do {
            return try AgentConfig.load(path: config)
        } catch {
            Console.printIssues(error)
            throw ExitCode.failure
        }
    }

    /// Loads the configuration and checks it against the providers and this host (secrets,
    /// route commands), printing every problem of both at once.
    func loadSetup() throws -> AgentSetup {
        do {
            return try AgentSetup.load(path: config)
        } catch {
            Console.printIssues(error)
            throw ExitCode.failure
        }
    }

    /// The named source of a checked configuration, failing with the list of known ones.
    func source(_ name: String, in setup: AgentSetup) throws -> ResolvedSource {
        guard let resolved = setup.sources[name] else {
            let known = setup.config.sources.map(\.name).joined(separator: ", ")
            Console.error("no source \"\(name)\" in \(setup.config.file) (sources: \(known))")
            throw ExitCode.failure
        }
        return resolved
    }

    /// Runs `body` on the inbox of an existing configuration, failing with a clear message when
    /// there is none, and shuts the inbox down after.
    func withInbox<T>(_ config: AgentConfig, _ body: (any Inbox) async throws -> T) async throws -> T {
        let inbox: any Inbox
        do {
            inbox = try await InboxFactory.open(config: config, access: .existing)
        } catch {
            Console.error("\(error)")
            throw ExitCode.failure
        }
        return try await inbox.closing { try await body(inbox) }
    }
}

enum Console {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("hooksync: \(message)\n".utf8))
    }

    static func printIssues(_ error: ConfigError) {
        for issue in error.issues { self.error(issue.description) }
    }
}
