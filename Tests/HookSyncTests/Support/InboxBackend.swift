import Foundation
import HookSync
import HookSyncCore
import Testing

/// A backend the inbox contract suite runs against. Each test gets a fresh, empty inbox at a
/// location of its own, and may open it again as a second agent (or the CLI) would.
struct InboxBackend: Sendable, CustomTestStringConvertible {
    var name: String
    /// A new, empty inbox location for one test, inside `directory`.
    var location: @Sendable (TemporaryDirectory) async throws -> InboxLocation

    var testDescription: String { name }

    /// Every backend the contract suite covers; a second backend adds itself here.
    static let all: [InboxBackend] = [.sqlite]

    static let sqlite = InboxBackend(name: "SQLite") { directory in .sqlite(path: directory.file("data/inbox.sqlite")) }
}

/// One test's inbox: the location, a first handle (the agent), and a way to open more. The
/// test keeps `directory` alive for as long as it uses the inbox.
struct ContractInbox {
    let location: InboxLocation
    let inbox: any Inbox

    init(_ backend: InboxBackend, in directory: TemporaryDirectory) async throws {
        location = try await backend.location(directory)
        inbox = try await InboxFactory.open(location, access: .create)
    }

    /// Another handle on the same inbox: another agent, or the CLI.
    func another() async throws -> any Inbox {
        try await InboxFactory.open(location, access: .existing)
    }
}
