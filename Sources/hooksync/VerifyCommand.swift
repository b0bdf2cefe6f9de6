import ArgumentParser
import Foundation
import HookSync
import HookSyncCore

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check whether a captured webhook request verifies for a source, and if not, why.",
        discussion: """
            The headers file holds "Name: value" lines (a request line before them is optional and \
            supplies the query string) or a JSON object. The body file holds the raw body bytes. \
            Exits 0 when the request verifies, 1 when it does not. Secrets are never printed.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "The source whose provider and secrets to check with.")
    var source: String

    @Option(help: "A file with the request headers.")
    var headers: String

    @Option(help: "A file with the raw request body.")
    var body: String

    @Option(help: "Check as of this time (unix seconds or RFC 3339) instead of now.")
    var at: String?

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() async throws {
        let setup = try options.loadSetup()
        let resolved = try options.source(source, in: setup)
        var now = Date()
        if let at {
            guard let date = TimestampFormat.unix.parse(at) ?? TimestampFormat.rfc3339.parse(at) else {
                Console.error("--at \"\(at)\" is neither unix seconds nor an RFC 3339 time")
                throw ExitCode.failure
            }
            now = date
        }
        let captured: CapturedRequest
        let bodyBytes: [UInt8]
        do {
            captured = try CapturedRequest(headersFile: try Self.read(headers))
            guard let data = FileManager.default.contents(atPath: body) else { throw CapturedRequestError.unreadable(body) }
            bodyBytes = Array(data)
        } catch {
            Console.error("\(error)")
            throw ExitCode.failure
        }
        let request = resolved.webhookRequest(headers: captured.headers, body: bodyBytes, query: captured.query)
        let report = VerifyReport.check(source: resolved, request: request, now: now)
        print(json ? try JSONOutput.string(report) : report.render())
        if !report.verified { throw ExitCode.failure }
    }

    private static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw CapturedRequestError.unreadable(path) }
        return String(decoding: data, as: UTF8.self)
    }
}
