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

    /// 100 requests/s on one connection; the 20th answer takes 600 ms. The ~60 requests due
    /// meanwhile leave late: timed from their send they look fast (one slow answer, under the
    /// 99th percentile), timed from when they were due a tenth of all requests waited over 100 ms.
    @Test func inRateModeARequestHeldBackIsTimedFromWhenItWasDue() async throws {
        let result = try await load(rate: 100, seconds: 2) { key in
            if key == 20 { try await Task.sleep(for: .milliseconds(600)) }
            return .ok
        }
        #expect(result.failed == 0)
        #expect(result.acknowledged > 150, "\(result.acknowledged) sent")
        #expect(result.latency(90) > 100, "p90 \(result.latency(90)) ms")
        #expect(result.latency(50) < 100, "p50 \(result.latency(50)) ms")
    }

    /// A quarter of the answers are 500s: they count as failed, and a percentile that reaches
    /// into them is not a latency at all.
    @Test func failedRequestsRankAboveEveryLatency() async throws {
        let result = try await load(rate: nil, seconds: 0.5) { key in key % 4 == 3 ? .internalServerError : .ok }
        let answered = result.log.statuses.values.reduce(0, +)
        #expect(answered > 20)
        #expect(result.failed == result.log.statuses[500])
        #expect(result.acknowledged + result.failed == answered)
        #expect(result.latency(50).isFinite)
        #expect(result.latency(90) == .infinity)
        #expect(LoadResult.percentile([1, 2, 3], failed: 1, 75) == 3)
        #expect(LoadResult.percentile([1, 2, 3], failed: 1, 76) == .infinity)
    }
}
