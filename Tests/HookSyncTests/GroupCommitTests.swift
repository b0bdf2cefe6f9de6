import Foundation
import Testing

@testable import HookSync
@testable import HookSyncCore

/// Group commit without a database: the commit function is held open to see what queues behind it.
@Suite struct GroupCommitTests {
    /// Records each commit's batch size and holds the first commit until released.
    actor CommitLog {
        private(set) var batches: [Int] = []
        private var gate: CheckedContinuation<Void, Never>?
        private var released = false

        func commit(_ count: Int) async {
            batches.append(count)
            if batches.count == 1 && !released {
                await withCheckedContinuation { gate = $0 }
            }
        }

        func release() {
            released = true
            gate?.resume()
            gate = nil
        }
    }

    static func event(_ id: String) -> IncomingEvent {
        IncomingEvent(
            source: "s",
            eventID: id,
            type: "t",
            occurredAt: nil,
            receivedAt: Date(),
            origin: .webhook,
            headers: [:],
            body: [],
            routes: []
        )
    }

    @Test func eventsArrivingDuringACommitShareTheNextOne() async throws {
        let log = CommitLog()
        let batcher = GroupCommit<IncomingEvent, StoreResult>(maxBatch: 8) { events in
            await log.commit(events.count)
            return events.map { $0.eventID.hasSuffix("dup") ? .duplicate : .stored }
        }
        try await withThrowingTaskGroup(of: (String, StoreResult).self) { group in
            group.addTask { ("first", try await batcher.submit(Self.event("first"))) }
            try await eventually("the first commit to start") { await log.batches == [1] }
            for index in 0..<11 {
                let id = index == 4 ? "e4-dup" : "e\(index)"
                group.addTask { (id, try await batcher.submit(Self.event(id))) }
            }
            try await eventually("eleven events to queue behind the first commit") { await batcher.waiting == 11 }
            await log.release()
            var results: [String: StoreResult] = [:]
            for try await (id, result) in group { results[id] = result }
            #expect(results.count == 12)
            #expect(results["e4-dup"] == .duplicate, "each caller gets its own event's result")
            #expect(results.filter { $0.value == .stored }.count == 11)
        }
        // One commit for the first event, then the eleven that waited, split at maxBatch.
        #expect(await log.batches == [1, 8, 3])
    }

    @Test func aFailedCommitFailsEveryEventInItAndTheNextCommitStillRuns() async throws {
        struct DiskFull: Error {}
        let log = CommitLog()
        let batcher = GroupCommit<IncomingEvent, StoreResult>(maxBatch: 8) { events in
            await log.commit(events.count)
            if events.contains(where: { $0.eventID == "bad" }) { throw DiskFull() }
            return events.map { _ in .stored }
        }
        try await withThrowingTaskGroup(of: (String, Bool).self) { group in
            group.addTask { ("first", (try? await batcher.submit(Self.event("first"))) == .stored) }
            try await eventually("the first commit to start") { await log.batches == [1] }
            // Five events queue behind it, one of which makes their shared commit fail.
            for id in ["a", "b", "bad", "c", "d"] {
                group.addTask { (id, (try? await batcher.submit(Self.event(id))) == .stored) }
            }
            try await eventually("five events to queue behind the first commit") { await batcher.waiting == 5 }
            await log.release()
            var stored: [String: Bool] = [:]
            for try await (id, ok) in group { stored[id] = ok }
            #expect(stored["first"] == true)
            #expect(["a", "b", "bad", "c", "d"].allSatisfy { stored[$0] == false }, "every event of the failed commit is failed: \(stored)")
        }
        #expect(await log.batches == [1, 5], "the five shared one commit")
        #expect(try await batcher.submit(Self.event("good")) == .stored, "the next commit still runs")
    }
}
