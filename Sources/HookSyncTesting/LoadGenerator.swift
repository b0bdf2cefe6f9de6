import Foundation
import HookSyncCore
public import NIOCore
import NIOHTTP1
public import NIOPosix
import Synchronization

/// A closed-loop HTTP/1.1 load generator: each keep-alive connection sends its next request as
/// soon as the previous answer ends (or on a fixed schedule when the plan sets a rate).
///
/// Written on NIO's channel handlers, not an HTTP client library, so that the generator costs
/// little CPU on a machine it shares with the server it measures.
public struct LoadGenerator: Sendable {
    public struct Plan: Sendable {
        public var host = "127.0.0.1"
        public var port: Int
        public var connections: Int
        public var duration: Duration
        /// Requests per second across all connections; nil sends as fast as answers come.
        public var rate: Int?
        public var requests: any RequestMaker

        public init(host: String = "127.0.0.1", port: Int, connections: Int, duration: Duration, rate: Int? = nil, requests: any RequestMaker) {
            self.host = host
            self.port = port
            self.connections = connections
            self.duration = duration
            self.rate = rate
            self.requests = requests
        }
    }

    public let group: MultiThreadedEventLoopGroup

    public init(group: MultiThreadedEventLoopGroup) {
        self.group = group
    }

    public func run(_ plan: Plan) async throws -> LoadResult {
        let sequence = Sequence()
        let started = NIODeadline.now()
        let deadline = started + TimeAmount.nanoseconds(Int64(plan.duration.seconds * 1e9))
        let interval = plan.rate.map { TimeAmount.nanoseconds(Int64(1e9 * Double(plan.connections) / Double(max(1, $0)))) }
        var logs: [EventLoopFuture<ConnectionLog>] = []
        for index in 0..<plan.connections {
            let loop = group.next()
            let finished = loop.makePromise(of: ConnectionLog.self)
            // Rate-limited connections start spread over one interval, not all at once.
            let firstSend = started + TimeAmount.nanoseconds((interval?.nanoseconds ?? 0) * Int64(index) / Int64(plan.connections))
            let requests = plan.requests
            let connect = ClientBootstrap(group: loop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(
                            LoadHandler(
                                requests: requests,
                                sequence: sequence,
                                deadline: deadline,
                                interval: interval,
                                firstSend: firstSend,
                                finished: finished
                            )
                        )
                    }
                }
                .connect(host: plan.host, port: plan.port)
            connect.whenFailure { finished.fail($0) }
            logs.append(finished.futureResult)
        }
        var merged = ConnectionLog()
        for log in logs { merged.merge(try await log.get()) }
        let elapsed = Double((NIODeadline.now() - started).nanoseconds) / 1e9
        return LoadResult(log: merged, seconds: elapsed)
    }

    /// Numbers requests across connections, so each request's event is distinct.
    final class Sequence: Sendable {
        private let next = Atomic<Int>(0)
        func take() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue }
    }
}

/// What one connection saw: a latency per request answered 2xx, the keys acknowledged, and
/// the requests that failed (answered otherwise, or never answered).
public struct ConnectionLog: Sendable {
    /// Of 2xx answers, in nanoseconds: from when the request was due in rate mode (so a
    /// server that falls behind is charged for the wait it caused), else from its send.
    public var latencies: [Int64] = []
    public var acknowledged: [Int] = []
    public var statuses: [Int: Int] = [:]
    /// Requests sent whose answer never came: the connection failed or closed first.
    public var unanswered = 0
    public var errors: [String] = []

    public init() {}

    /// Requests that did not succeed; each ranks above every latency in the percentiles.
    public var failed: Int { statuses.filter { !(200..<300).contains($0.key) }.values.reduce(0, +) + unanswered }

    public mutating func merge(_ other: ConnectionLog) {
        latencies += other.latencies
        acknowledged += other.acknowledged
        statuses.merge(other.statuses, uniquingKeysWith: +)
        unanswered += other.unanswered
        errors += other.errors
    }
}

/// Drives one connection on its event loop.
private final class LoadHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let requests: any RequestMaker
    private let sequence: LoadGenerator.Sequence
    private let deadline: NIODeadline
    private let finished: EventLoopPromise<ConnectionLog>
    private var pacer: RequestPacer
    private var log = ConnectionLog()
    private var key = 0
    private var status = 0

    init(
        requests: any RequestMaker,
        sequence: LoadGenerator.Sequence,
        deadline: NIODeadline,
        interval: TimeAmount?,
        firstSend: NIODeadline,
        finished: EventLoopPromise<ConnectionLog>
    ) {
        self.requests = requests
        self.sequence = sequence
        self.deadline = deadline
        self.pacer = RequestPacer(interval: interval, firstSlot: firstSend)
        self.finished = finished
    }

    func channelActive(context: ChannelHandlerContext) {
        send(context: context)
    }

    private func send(context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        guard now < deadline else {
            context.close(promise: nil)
            return
        }
        if let slot = pacer.wait(now: now) {
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(deadline: slot) {
                let (handler, context) = loopBound.value
                handler.send(context: context)
            }
            return
        }
        let request = requests.request(sequence.take())
        key = request.key
        pacer.send(now: now)
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(request.body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
        case .body:
            break
        case .end:
            let took = pacer.answered(now: NIODeadline.now())
            log.statuses[status, default: 0] += 1
            if (200..<300).contains(status) {
                log.latencies.append(took.nanoseconds)
                log.acknowledged.append(key)
            }
            send(context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        log.errors.append("\(error)")
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if pacer.due != nil { log.unanswered += 1 }
        finished.succeed(log)
    }
}
