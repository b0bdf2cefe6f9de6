import ArgumentParser
import Foundation
import HookSync
import HookSyncCore

struct InboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox",
        abstract: "Operate on the inbox itself.",
        subcommands: [Copy.self]
    )

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "copy",
            abstract: "Copy a stopped agent's inbox into another: SQLite to PostgreSQL, or back.",
            discussion: """
                Copies events, deliveries, attempt histories, dead letters and poll cursors from the inbox the \
                configuration names into the one --to names, so that dedup and polling continue where they were. \
                Stop the agent first. Events the target already holds are skipped: a copy can run again. Then point \
                [inbox] at the target and start the agents.
                """
        )

        @OptionGroup var options: GlobalOptions

        @Option(help: "The target: a postgresql:// URL, or the path of a SQLite file.")
        var to: String

        @Option(help: "The target's password, as a secret reference (env:NAME, file:/path, credential:NAME).")
        var password: String?

        func run() async throws {
            let config = try options.loadConfig()
            if let running = AgentLock.running(dataDirectory: config.dataDirectory) {
                Console.error("the agent (pid \(running.pid)) is running on \(config.dataDirectory): stop it before copying its inbox")
                throw ExitCode.failure
            }
            let target = try targetLocation()
            guard target != config.inbox else {
                Console.error("--to names the inbox the configuration already uses (\(target))")
                throw ExitCode.failure
            }
            try await options.withInbox(config) { source in
                let busy = try await source.agents().filter { $0.silentFor < config.failover }.map(\.identity.id)
                guard busy.isEmpty else {
                    Console.error("agents still send heartbeats to \(config.inbox) (\(busy.joined(separator: ", "))): stop them before copying")
                    throw ExitCode.failure
                }
                let destination: any Inbox
                do {
                    destination = try await InboxFactory.open(target, access: .create)
                } catch {
                    Console.error("\(error)")
                    throw ExitCode.failure
                }
                let summary = try await destination.closing {
                    try await InboxCopy.run(from: source, to: destination) { progress in
                        FileHandle.standardError.write(Data("\rcopied \(progress.copied) event(s)".utf8))
                    }
                }
                FileHandle.standardError.write(Data("\n".utf8))
                print(
                    "copied \(summary.copied) event(s) and \(summary.pollStates) poll state(s) from \(config.inbox) to \(target)"
                        + (summary.skipped > 0 ? "; \(summary.skipped) already there were left as they were" : "")
                )
            }
        }

        private func targetLocation() throws -> InboxLocation {
            guard to.hasPrefix("postgres://") || to.hasPrefix("postgresql://") else {
                return .sqlite(path: (to as NSString).standardizingPath)
            }
            switch PostgresLocation.parse(to) {
            case .success(var location):
                if let password {
                    guard let reference = SecretReference(password) else {
                        throw ValidationError("--password takes a secret reference: env:NAME, file:/path or credential:NAME")
                    }
                    location.password = reference
                }
                return .postgres(location)
            case .failure(let problem):
                throw ValidationError("--to \"\(PostgresLocation.redacted(to))\": expected \(problem.expected)")
            }
        }
    }
}
