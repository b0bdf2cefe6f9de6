import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One forward route's keep-alive HTTP/1.1 connections to an application over plain HTTP, the
/// usual case of an application on the same host or network.
///
/// A forward is one small POST and one short answer. AsyncHTTPClient, general-purpose, wrote the
/// request's head and body in two system calls and spent most of a drain's CPU on its pool and
/// request state machines; here an attempt is one write of head and body, an answer read into
/// an excerpt, and the connection back among the idle ones. HTTPS routes keep AsyncHTTPClient
/// (``ForwardConnection``).
public final class ForwardClient: Sendable {
    let host: String
    let port: Int
    /// The request target: the URL's path and query.
    let target: String
    private let group: any EventLoopGroup
    private let idle: IdleChannels
    private let excerptLimit: Int

    /// - Parameters:
    ///   - url: an `http://` URL; nil for any other scheme.
    ///   - connections: how many idle connections are kept for the next attempts.
    init?(url: String, connections: Int, excerptLimit: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "http", let host = components.host else {
            return nil
        }
        self.host = host
        port = components.port ?? 80
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        target = path + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
        self.group = group
        self.excerptLimit = excerptLimit
        idle = IdleChannels(limit: max(1, connections))
    }

    /// POSTs `body` to the route's URL and reads the answer's status, `Retry-After` and the
    /// first `excerptLimit` bytes of its body, within `timeout` from the connection on.
    func post(headers: HTTPHeaders, body: [UInt8], timeout: Duration) async throws(ForwardFailure) -> ForwardAnswer {
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        let channel: any Channel
        if let reused = await idle.take() {
            channel = reused
        } else {
            channel = try await connect(deadline: deadline)
        }
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: target, headers: headers)
        let authority = host.contains(":") ? "[\(host)]" : host
        head.headers.replaceOrAdd(name: "Host", value: port == 80 ? authority : "\(authority):\(port)")
        head.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        let promise = channel.eventLoop.makePromise(of: ForwardAnswer.self)
        // A connection that closed after it was taken from the idle ones never reaches the
        // handler, whose timeout would end the wait: the failed write ends it instead.
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { error in promise.fail(ForwardFailure.unreachable("\(error)")) }
        channel.writeAndFlush(ForwardExchange(head: head, body: ByteBuffer(bytes: body), deadline: deadline, answer: promise), promise: written)
        let answer: ForwardAnswer
        do {
            answer = try await promise.futureResult.get()
        } catch let failure as ForwardFailure {
            throw failure
        } catch {
            throw .unreachable("\(error)")
        }
        if answer.keepAlive, channel.isActive, await idle.put(channel) {
            return answer
        }
        channel.close(promise: nil)
        return answer
    }

    /// Closes the idle connections; attempts in flight end on their own.
    public func shutdown() async {
        for channel in await idle.drain() { channel.close(promise: nil) }
    }

    private func connect(deadline: NIODeadline) async throws(ForwardFailure) -> any Channel {
        let excerptLimit = excerptLimit
        let bootstrap = ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(max(.milliseconds(1), deadline - .now()))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ForwardExchangeHandler(excerptLimit: excerptLimit))
                }
            }
        do {
            return try await bootstrap.connect(host: host, port: port).get()
        } catch ChannelError.connectTimeout(_) {
            throw .timedOut
        } catch let error as NIOConnectionError {
            // The reason each address refused, not the resolver's whole report.
            let reasons = error.connectionErrors.map { "\($0.error)" }
            throw .unreachable(reasons.isEmpty ? "\(error)" : reasons.joined(separator: "; "))
        } catch {
            throw .unreachable("\(error)")
        }
    }
}

/// What the application answered, as much as a delivery's outcome needs.
struct ForwardAnswer: Sendable {
    var status: Int
    var retryAfter: String?
    var excerpt: String
    /// The connection may carry the next attempt.
    var keepAlive: Bool
}

/// Why an attempt got no answer.
enum ForwardFailure: Error, Sendable {
    /// No answer within the route's timeout.
    case timedOut
    /// The connection failed or closed first: refused, reset, closed before the answer ended.
    case unreachable(String)
}

/// An attempt handed to a connection's handler: written in one flush, answered through `answer`.
struct ForwardExchange: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer
    var deadline: NIODeadline
    var answer: EventLoopPromise<ForwardAnswer>
}

/// The idle connections of one route, most recently used first.
private actor IdleChannels {
    private let limit: Int
    private var channels: [any Channel] = []

    init(limit: Int) {
        self.limit = limit
    }

    /// An open connection, or nil when none is idle.
    func take() -> (any Channel)? {
        while let channel = channels.popLast() {
            if channel.isActive { return channel }
        }
        return nil
    }

    /// Keeps `channel` for the next attempt unless `limit` are idle already.
    func put(_ channel: any Channel) -> Bool {
        guard channels.count < limit else { return false }
        channels.append(channel)
        return true
    }

    func drain() -> [any Channel] {
        defer { channels = [] }
        return channels
    }
}

/// Runs one exchange at a time on its connection: writes it, reads the answer, and fails it
/// when the deadline passes or the connection ends first.
private final class ForwardExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = ForwardExchange
    typealias OutboundOut = HTTPClientRequestPart

    private let excerptLimit: Int
    private var pending: EventLoopPromise<ForwardAnswer>?
    private var timeout: Scheduled<Void>?
    private var answer = ForwardAnswer(status: 0, retryAfter: nil, excerpt: "", keepAlive: false)
    private var excerpt: [UInt8] = []
    private var truncated = false

    init(excerptLimit: Int) {
        self.excerptLimit = excerptLimit
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard pending == nil else {
            exchange.answer.fail(ForwardFailure.unreachable("the connection is busy with another attempt"))
            promise?.fail(ChannelError.inappropriateOperationForState)
            return
        }
        pending = exchange.answer
        answer = ForwardAnswer(status: 0, retryAfter: nil, excerpt: "", keepAlive: false)
        excerpt = []
        truncated = false
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timeout = context.eventLoop.scheduleTask(deadline: exchange.deadline) {
            let (handler, context) = loopBound.value
            handler.finish(.failure(ForwardFailure.timedOut))
            context.close(promise: nil)
        }
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(exchange.body))), promise: nil)
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            answer.status = Int(head.status.code)
            answer.retryAfter = head.headers.first(name: "Retry-After")
            answer.keepAlive = head.isKeepAlive
        case .body(let buffer):
            let room = excerptLimit - excerpt.count
            if buffer.readableBytes > room { truncated = true }
            if room > 0 { excerpt += buffer.readableBytesView.prefix(room) }
        case .end:
            answer.excerpt = String(decoding: excerpt, as: UTF8.self) + (truncated ? "…" : "")
            finish(.success(answer))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(ForwardFailure.unreachable("the connection closed before the answer ended")))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(ForwardFailure.unreachable("\(error)")))
        context.close(promise: nil)
    }

    private func finish(_ result: Result<ForwardAnswer, any Error>) {
        timeout?.cancel()
        timeout = nil
        guard let pending else { return }
        self.pending = nil
        pending.completeWith(result)
    }
}
