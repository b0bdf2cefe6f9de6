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
        try await checkInbox(config)
    }

    /// Connects to the inbox and says what it found, or exactly why it could not.
    private func checkInbox(_ config: AgentConfig) async throws {
        let found: InboxInspection
        do {
            found = try await InboxFactory.inspect(config.inbox)
        } catch {
            Console.error("\(error)")
            throw ExitCode.failure
        }
        let schema: String =
            switch found.schemaVersion {
            case nil: "no schema yet (the first agent to start creates it)"
            case let version?: "schema version \(version) (this hooksync: \(found.knownVersion))"
            }
        print("  inbox \(config.inbox): \(found.server), \(schema)")
        if !found.agents.isEmpty {
            let seen = found.agents.map { agent in
                var text =
                    "\(agent.identity.id) on \(agent.identity.host) (\(agent.identity.version)), heard \(ConsoleTime.age(seconds: agent.silentFor.seconds)) ago"
                if agent.silentFor > config.failover { text += ", SILENT" }
                if !agent.leads.isEmpty { text += ", leads \(agent.leads.joined(separator: ", "))" }
                return text
            }
            print("  agents seen: " + seen.joined(separator: "; "))
        }
        if found.isNewerThanKnown {
            Console.error(
                "\(config.inbox): schema version \(found.schemaVersion ?? 0) is newer than this hooksync knows (\(found.knownVersion)): upgrade hooksync on this host"
            )
            throw ExitCode.failure
        }
    }
}
