/// Group commit: items that arrive while a commit is in progress wait and go into the next one
/// together, so one fsync serves many callers.
///
/// Each caller still gets its own result, and only after the commit that holds its item. The
/// inbox uses one for stored events (the receiver acknowledges after it) and one for delivery
/// outcomes, so neither is limited to the disk's rate of synced commits.
package actor GroupCommit<Item: Sendable, Output: Sendable> {
    package typealias Commit = @Sendable ([Item]) async throws -> [Output]

    private var pending: [(item: Item, continuation: CheckedContinuation<Output, any Error>)] = []
    private var committing = false
    private let maxBatch: Int
    private let commit: Commit

    package init(maxBatch: Int = 512, commit: @escaping Commit) {
        self.maxBatch = maxBatch
        self.commit = commit
    }

    /// Items waiting for the next commit.
    package var waiting: Int { pending.count }

    package func submit(_ item: Item) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((item, continuation))
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
                let results = try await commit(batch.map(\.item))
                for (entry, result) in zip(batch, results) { entry.continuation.resume(returning: result) }
            } catch {
                for entry in batch { entry.continuation.resume(throwing: error) }
            }
        }
        committing = false
    }
}
