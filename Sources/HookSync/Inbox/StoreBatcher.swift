/// Group commit: requests that arrive while a commit is in progress wait and go into the next
/// one together, so one fsync acknowledges many events.
///
/// Each caller still gets its own result, and only after the commit that holds its event.
actor StoreBatcher {
    typealias Commit = @Sendable ([IncomingEvent]) async throws -> [StoreResult]

    private var pending: [(event: IncomingEvent, continuation: CheckedContinuation<StoreResult, any Error>)] = []
    private var committing = false
    private let maxBatch: Int
    private let commit: Commit

    init(maxBatch: Int = 512, commit: @escaping Commit) {
        self.maxBatch = maxBatch
        self.commit = commit
    }

    /// Events waiting for the next commit.
    var waiting: Int { pending.count }

    func submit(_ event: IncomingEvent) async throws -> StoreResult {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((event, continuation))
            if !committing {
                committing = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            do {
                let results = try await commit(batch.map(\.event))
                for (entry, result) in zip(batch, results) { entry.continuation.resume(returning: result) }
            } catch {
                for entry in batch { entry.continuation.resume(throwing: error) }
            }
        }
        committing = false
    }
}
