import Foundation
import HookSyncTesting
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// The bench's load generator reports what a client of a slow or failing server lived through:
/// in rate mode a request held back by a slow answer is timed from when it was due, and a
/// failed request is not left out of the percentiles.
@Suite struct LoadGeneratorTests {
    /// `POST /` carrying its number in `x-key`.
    struct Numbered: RequestMaker {
        func request(_ n: Int) -> LoadRequest {
            var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/")
            head.headers.add(name: "Host", value: "127.0.0.1")
            head.headers.add(name: "Content-Length", value: "2")
            head.headers.add(name: "x-key", value: String(n))
            return LoadRequest(head: head, body: ByteBuffer(string: "{}"), key: n)
        }
    }

    /// Serves `answer` for each request's number, runs `plan` against it.
    func load(
        rate: Int?,
        seconds: Double,
        _ answer: @escaping @Sendable (Int) async throws -> HTTPResponse.Status
    ) async throws -> LoadResult {
        let router = Router()
        router.post("/") { request, _ in try await answer(Int(request.headers[.init("x-key")!] ?? "") ?? -1) }
        let generator = LoadGenerator(group: MultiThreadedEventLoopGroup.singleton)
        return try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            try await generator.run(
                .init(port: client.port!, connections: 1, duration: .seconds(seconds), rate: rate, requests: Numbered())
            )
        }
    }

    /// At 100 requests/s the first answer takes 600 ms: the requests whose slots passed
    /// meanwhile leave at once, each timed from its slot, not from its send.
    @Test func aRequestHeldBackBehindASlowAnswerIsTimedFromItsSlot() {
        let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)
        var pacer = RequestPacer(interval: .milliseconds(10), firstSlot: t0)
        #expect(pacer.wait(now: t0 - .milliseconds(1)) == t0, "not before its slot")
        pacer.send(now: t0)
        var now = t0 + .milliseconds(600)
        #expect(pacer.answered(now: now) == .milliseconds(600))
        var took: [Int64] = []
        for _ in 0..<3 {
            #expect(pacer.wait(now: now) == nil, "overdue: it leaves at once")
            pacer.send(now: now)
            now = now + .milliseconds(1)
            took.append(pacer.answered(now: now).nanoseconds / 1_000_000)
        }
        #expect(took == [591, 582, 573])
        #expect(pacer.due == nil)

        var closed = RequestPacer(interval: nil, firstSlot: t0)
        #expect(closed.wait(now: t0 - .seconds(1)) == nil, "a closed loop never waits")
        closed.send(now: now)
        #expect(closed.answered(now: now + .milliseconds(2)) == .milliseconds(2), "due when sent")
    }

    /// The same through a real server, 100 requests/s on one connection, the 20th answer taking
    /// 600 ms: a tenth of the requests waited over 100 ms from when they were due (timed from
    /// their send, only one would have). Run on its own after the other tests (see the Makefile):
    /// a starved machine only makes latencies longer, never this one shorter.
    @Test func throughAServerTheWaitBehindASlowAnswerCounts() async throws {
        let result = try await load(rate: 100, seconds: 2) { key in
            if key == 20 { try await Task.sleep(for: .milliseconds(600)) }
            return .ok
        }
        #expect(result.failed == 0)
        #expect(result.acknowledged > 20, "\(result.acknowledged) sent")
        #expect(result.latency(90) > 100, "p90 \(result.latency(90)) ms")
    }

    /// A quarter of the answers are 500s: they count as failed, and a percentile that reaches
    /// into them is not a latency at all.
    @Test func failedRequestsRankAboveEveryLatency() async throws {
        let result = try await load(rate: nil, seconds: 2) { key in key % 4 == 3 ? .internalServerError : .ok }
        let answered = result.log.statuses.values.reduce(0, +)
        #expect(answered >= 4)
        #expect(result.failed == result.log.statuses[500])
        #expect(result.acknowledged + result.failed == answered)
        #expect(result.latency(50).isFinite)
        #expect(result.latency(90) == .infinity)
        #expect(LoadResult.percentile([1, 2, 3], failed: 1, 75) == 3)
        #expect(LoadResult.percentile([1, 2, 3], failed: 1, 76) == .infinity)
    }
}
