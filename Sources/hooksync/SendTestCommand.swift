import ArgumentParser
import HookSync
import HookSyncCore

struct SendTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-test",
        abstract: "Sign a sample event with the source's secret and post it to the running agent."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The source to send to.")
    var source: String

    @Option(help: "The event type (default: the provider's sample type).")
    var type: String?

    func run() async throws {
        let setup = try options.loadSetup()
        let config = setup.config
        let resolved = try options.source(source, in: setup)
        guard let http = config.http else {
            Console.error("\(config.file) has no [http] table: the agent does not listen for webhooks")
            throw ExitCode.failure
        }
        var address = AgentLock.running(dataDirectory: config.dataDirectory)?.listen ?? "\(http.host):\(http.port)"
        if address.hasPrefix("0.0.0.0:") { address = "127.0.0.1:" + address.dropFirst("0.0.0.0:".count) }
        do {
            let outcome = try await TestEventSender(source: resolved).send(type: type, address: address)
            print("sent \(outcome.type) \(outcome.eventID) to \(outcome.url): \(outcome.status) \(outcome.response)")
            if !(200..<300).contains(outcome.status) { throw ExitCode.failure }
        } catch let error as TestEventError {
            Console.error(error.description)
            throw ExitCode.failure
        }
    }
}
