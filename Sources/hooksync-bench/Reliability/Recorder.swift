import Foundation
import Hummingbird
import Synchronization

/// The local app behind the agent's forward routes: `POST /r/<route>` records every delivery
/// it sees (event id, attempt, time) and answers as that route's behaviour says, so a scenario
/// can count what the route received rather than trust the agent's own account.
final class Recorder: Sendable {
    enum Behaviour: Sendable {
        /// 200 at once.
        case accept
        /// 500 for the first `n` attempts of each event, then 200.
        case failFirst(Int)
        /// Holds the first `n` attempts of each event open far beyond the route's timeout.
        case hangFirst(Int)
        /// 500 for the first `n` requests of each event as the app itself counts them, whatever
        /// attempt number the agent sends (a replay starts again at 1), then 200.
        case failFirstSeen(Int)
        /// 500 always: every delivery ends as a dead letter.
        case reject
        /// 200 after a pause: the app takes its time, so deliveries are in flight at any moment.
        case slow(Duration)
    }

    struct Hit: Sendable {
        var route: String
        var eventID: String
        var attempt: Int
        var at: ContinuousClock.Instant
        /// Answered 200 in time: the app processed the event.
        var accepted: Bool
        /// When the request arrived and when the app answered it, on the wall clock the
        /// scenario's cuts are noted on (nil while it is still being answered).
        var arrived: Date
        var answered: Date?
        /// The agent the route's URL names (`?from=`).
        var sender: String?
    }

    private let behaviours: [String: Behaviour]
    private let hits = Mutex<[Hit]>([])

    private init(behaviours: [String: Behaviour]) {
        self.behaviours = behaviours
    }

    static func start(_ behaviours: [String: Behaviour], bench: Workbench) async throws -> (Recorder, LocalServer) {
        let recorder = Recorder(behaviours: behaviours)
        let router = Router()
        router.post("/r/{route}") { request, context in
            try await recorder.receive(request, route: context.parameters.get("route") ?? "")
        }
        router.get("/") { _, _ in "recorder" }
        return (recorder, try await LocalServer.start(router, name: "recorder", bench: bench))
    }

    private func receive(_ request: Request, route: String) async throws -> HTTPResponse.Status {
        _ = try await request.body.collect(upTo: 1 << 20)
        func header(_ name: String) -> String? { request.headers.first { $0.name.canonicalName == name }?.value }
        let eventID = header("hooksync-event-id") ?? ""
        let attempt = header("hooksync-attempt").flatMap { Int($0) } ?? 0
        let seen = hits.withLock { hits in hits.count { $0.route == route && $0.eventID == eventID } }
        let status: HTTPResponse.Status
        switch behaviours[route] ?? .accept {
        case .accept: status = .ok
        case .failFirst(let failures): status = attempt <= failures ? .internalServerError : .ok
        case .hangFirst(let hangs): status = attempt <= hangs ? .gatewayTimeout : .ok
        case .failFirstSeen(let failures): status = seen < failures ? .internalServerError : .ok
        case .reject: status = .internalServerError
        case .slow: status = .ok
        }
        let index = hits.withLock { hits in
            hits.append(
                Hit(
                    route: route,
                    eventID: eventID,
                    attempt: attempt,
                    at: .now,
                    accepted: status == .ok,
                    arrived: Date(),
                    sender: request.uri.queryParameters.get("from")
                )
            )
            return hits.count - 1
        }
        if status == .gatewayTimeout { try await Task.sleep(for: .seconds(120)) }
        if case .slow(let pause) = behaviours[route] { try await Task.sleep(for: pause) }
        hits.withLock { $0[index].answered = Date() }
        return status
    }

    func hits(route: String) -> [Hit] { hits.withLock { $0.filter { $0.route == route } } }

    /// Each event's processed copies (answered 200) at `route`, with their times.
    func sightings(route: String) -> [String: [Sighting]] {
        hits(route: route).filter(\.accepted).reduce(into: [:]) { sightings, hit in
            sightings[hit.eventID, default: []].append(hit.sighting)
        }
    }

    /// How many times each event was processed (answered 200) by `route`.
    func accepted(route: String) -> [String: Int] {
        sightings(route: route).mapValues(\.count)
    }
}

extension Recorder.Hit {
    var sighting: Sighting { Sighting(arrived: arrived, answered: answered ?? .distantFuture, sender: sender) }
}
