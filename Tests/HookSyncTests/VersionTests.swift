import Testing

@testable import HookSync

@Test func version() { #expect(!HookSyncVersion.string.isEmpty) }
