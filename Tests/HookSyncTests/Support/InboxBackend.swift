import Foundation
import HookSync
import HookSyncCore
import HookSyncTesting
import Testing

/// A backend the inbox contract suite runs against. Each test gets a fresh, empty inbox at a
/// location of its own, and may open it again as a second agent (or the CLI) would.
struct InboxBackend: Sendable, CustomTestStringConvertible {
    var name: String
    /// A new, empty inbox location for one test, inside `directory`.
    var location: @Sendable (TemporaryDirectory) async throws -> InboxLocation
    /// Whether lease expiry follows the backend's own clock (a database server's) rather than
    /// the `now` a claim passes: tests of expiry then wait for real time to pass.
    var leasesOnServerClock = false
    /// Whether several agents share it, each with its own handle: poll leadership and the
    /// agents list are then the inbox's to keep, not one agent's.
    var sharedByAgents = false

    var testDescription: String { name }

    /// Every backend the contract suite covers.
    static let all: [InboxBackend] = [.sqlite, .postgres]
    /// The backends several agents share.
    static let shared = all.filter(\.sharedByAgents)

    static let sqlite = InboxBackend(name: "SQLite") { directory in .sqlite(path: directory.file("data/inbox.sqlite")) }

    /// A database of its own on the tests' throwaway PostgreSQL server (``ThrowawayPostgres``).
    static let postgres = InboxBackend(
        name: "PostgreSQL",
        location: { _ in .postgres(try await ThrowawayPostgres.shared.newDatabase()) },
        leasesOnServerClock: true,
        sharedByAgents: true
    )
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
