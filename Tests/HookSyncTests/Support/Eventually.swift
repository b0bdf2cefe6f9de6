import Testing

/// Waits until `condition` holds, checking every 20 ms, and fails the test with `message` if
/// it does not within `timeout`. It waits for a state, never for a fixed time.
func eventually(
    _ message: @autoclosure () -> String = "condition",
    timeout: Duration = .seconds(15),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return }
        try await clock.sleep(for: .milliseconds(20))
    }
    if try await condition() { return }
    Issue.record("timed out after \(timeout) waiting for \(message())", sourceLocation: sourceLocation)
    throw EventuallyTimeout()
}

struct EventuallyTimeout: Error {}
