import Foundation
import Hummingbird
import HummingbirdTesting
import NIOHTTP1
import Synchronization
import Testing

@testable import HookSync

/// The forward routes' own HTTP/1.1 client against a real server on loopback: what it keeps
/// of an answer, and when it reuses a connection.
@Suite struct ForwardClientTests {
    /// Answers 503 with a long body and `Retry-After`, or closes after answering when the
    /// request asks for `?close`; records the client port of each request.
    final class Application: Sendable {
        let ports = Mutex<[Int]>([])

        func make() -> some ApplicationProtocol {
            let router = Router(context: ReceiverRequestContext.self)
            router.post("/hooks") { request, context in
                _ = try await request.body.collect(upTo: 1 << 20)
                self.ports.withLock { $0.append(context.channel.remoteAddress?.port ?? -1) }
                var headers: HTTPFields = [.retryAfter: "7"]
                if request.uri.query == "close" { headers[.connection] = "close" }
                return Response(
                    status: .serviceUnavailable,
                    headers: headers,
                    body: .init(byteBuffer: .init(string: "busy " + String(repeating: "x", count: 5000)))
                )
            }
            return Hummingbird.Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        }
    }

    @Test func anAnswerIsReadIntoAnExcerptAndTheConnectionServesTheNextAttempt() async throws {
        let server = Application()
        try await server.make().test(.live) { app in
            let client = try #require(ForwardClient(url: "http://127.0.0.1:\(app.port!)/hooks", connections: 4, excerptLimit: 16))
            for _ in 0..<5 {
                let answer = try await client.post(headers: ["Content-Type": "application/json"], body: Array("{}".utf8), timeout: .seconds(5))
                #expect(answer.status == 503 && answer.retryAfter == "7")
                #expect(answer.excerpt == "busy xxxxxxxxxxx…", "the first 16 bytes, marked cut")
                #expect(answer.keepAlive)
            }
            await client.shutdown()
        }
        #expect(server.ports.withLock { Set($0).count } == 1, "five attempts, one connection")
    }

    @Test func aConnectionTheApplicationClosesIsNotReused() async throws {
        let server = Application()
        try await server.make().test(.live) { app in
            let client = try #require(ForwardClient(url: "http://127.0.0.1:\(app.port!)/hooks?close", connections: 4, excerptLimit: 16))
            #expect(client.target == "/hooks?close")
            for _ in 0..<3 {
                let answer = try await client.post(headers: [:], body: [], timeout: .seconds(5))
                #expect(answer.status == 503 && !answer.keepAlive)
            }
            await client.shutdown()
        }
        #expect(server.ports.withLock { Set($0).count } == 3, "each attempt on a connection of its own")
    }

    @Test func onlyPlainHTTPIsItsJob() {
        #expect(ForwardClient(url: "https://example.com/hooks", connections: 1, excerptLimit: 16) == nil)
        #expect(ForwardClient(url: "http://127.0.0.1:8080", connections: 1, excerptLimit: 16)?.target == "/")
    }
}
