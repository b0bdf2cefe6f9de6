import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// A local application that forward routes post to: it records each request with its arrival
/// time and answers from a script (status and headers), then 200.
final class ForwardTarget: Sendable {
    struct Received: Sendable {
        var at: ContinuousClock.Instant
        var headers: HTTPFields
        var body: String
    }

    private let script: Mutex<[(status: Int, headers: [String: String])]>
    private let received = Mutex<[Received]>([])
    private let hanging: Mutex<Int>

    /// - Parameter hangFirst: how many requests, the first ones, are held for 3 s before their
    ///   answer, past a route timeout of 1 s.
    init(answers: [(status: Int, headers: [String: String])] = [], hangFirst: Int = 0) {
        script = Mutex(answers)
        hanging = Mutex(hangFirst)
    }

    var requests: [Received] { received.withLock { $0 } }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("/hooks") { request, _ in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            self.received.withLock { $0.append(Received(at: .now, headers: request.headers, body: body)) }
            let hang = self.hanging.withLock { count in
                defer { count = max(0, count - 1) }
                return count > 0
            }
            if hang { try await Task.sleep(for: .seconds(3)) }
            let answer = self.script.withLock { $0.isEmpty ? (status: 200, headers: [:]) : $0.removeFirst() }
            var headers = HTTPFields()
            for (name, value) in answer.headers { headers[HTTPField.Name(name)!] = value }
            return Response(
                status: .init(code: answer.status),
                headers: headers,
                body: .init(byteBuffer: .init(string: "answer \(answer.status) " + String(repeating: "x", count: 2000)))
            )
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }
}
