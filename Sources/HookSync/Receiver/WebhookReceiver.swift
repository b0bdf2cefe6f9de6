public import Foundation
import HTTPTypes
public import HookSyncCore
public import Hummingbird
public import Logging
import NIOCore

/// Accepts `POST /webhooks/<source>`: verifies, parses, stores durably, then answers.
///
/// Checks run cheapest and safest first — known source, size, signature, then JSON — so an
/// unauthenticated body is never parsed. Bad input changes nothing: only a verified, well-formed
/// event reaches the inbox, and 2xx is sent only after its commit.
public struct WebhookReceiver: Sendable {
    private let sources: [String: ResolvedSource]
    private let config: AgentConfig
    private let inbox: any Inbox
    private let signal: WorkSignal
    private let maxBody: Int
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let metrics: AgentMetrics?

    public init(
        setup: AgentSetup,
        inbox: any Inbox,
        signal: WorkSignal,
        logger: Logger,
        metrics: AgentMetrics? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.metrics = metrics
        self.sources = setup.sources
        self.config = setup.config
        self.inbox = inbox
        self.signal = signal
        self.maxBody = setup.config.http?.maxBody ?? HTTPSettings().maxBody
        self.logger = logger
        self.now = now
    }

    /// Adds the webhook endpoint and a liveness probe to `router`.
    public func register<Context: ChannelRequestContext>(on router: Router<Context>) {
        router.post("/webhooks/:source") { request, context in
            let channel = context.channel
            return await receive(request, sourceName: context.parameters.get("source") ?? "") {
                channel.close(mode: .input, promise: nil)
            }
        }
        router.get("/healthz") { _, _ in
            Self.reply(.ok, ["status": "ok"])
        }
    }

    /// - Parameter stopReading: closes the connection's input, for a body past the drain cap.
    func receive(_ request: Request, sourceName: String, stopReading: @Sendable () -> Void = {}) async -> Response {
        var logger = logger
        logger[metadataKey: "source"] = "\(sourceName)"
        guard let source = sources[sourceName], source.config.mode.acceptsWebhooks else {
            // Not labelled by the requested name in metrics: anyone can invent names.
            return reject(.notFound, "unknown source \"\(sourceName)\"", reason: "unknown_source", source: nil, logger: logger)
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBody {
            return reject(
                .contentTooLarge,
                "body of \(length) bytes exceeds max_body (\(maxBody))",
                reason: "too_large",
                source: source.name,
                logger: logger
            )
        }
        let body: [UInt8]
        switch await Self.read(request.body, limit: maxBody) {
        case .body(let bytes):
            body = bytes
        case .tooLarge:
            return reject(.contentTooLarge, "body exceeds max_body (\(maxBody) bytes)", reason: "too_large", source: source.name, logger: logger)
        case .beyondDrainCap:
            stopReading()
            return reject(.contentTooLarge, "body exceeds max_body (\(maxBody) bytes)", reason: "too_large", source: source.name, logger: logger)
        case .unreadable:
            return reject(.badRequest, "could not read the request body", reason: "body_read", source: source.name, logger: logger)
        }
        let webhook = source.webhookRequest(headers: request.headers, body: body, query: request.uri.query)
        let secretIndex: Int
        do {
            secretIndex = try source.scheme.verify(webhook, secrets: source.secrets, now: now())
        } catch {
            return reject(.unauthorized, error.description, reason: error.reason, source: source.name, logger: logger)
        }
        guard source.provider.accepts(contentType: request.headers[.contentType]) else {
            return reject(
                .unsupportedMediaType,
                "content type must be one of \(source.provider.contentTypes.joined(separator: ", "))",
                reason: "content_type",
                source: source.name,
                logger: logger
            )
        }
        let mapping = source.provider.event
        let decoded: EventMapping.Decoded
        let fields: EventFields
        do {
            decoded = try mapping.decode(headers: request.headers, body: body, keeping: source.projection)
            if let challenge = source.provider.challenge, try mapping.type(of: decoded.document) == challenge.type {
                return answer(challenge, decoded.document, source: source, logger: logger)
            }
            fields = try mapping.fields(of: decoded.document)
        } catch {
            return reject(.badRequest, error.description, reason: "malformed", source: source.name, logger: logger)
        }
        let selection = config.selectRoutes(source: source.name, type: fields.type, document: decoded.document)
        var headers = source.provider.keptHeaders(from: request.headers)
        headers[HTTPField.Name.contentType.canonicalName] = decoded.contentType
        let event = IncomingEvent(
            source: source.name,
            eventID: fields.id,
            dedupKey: fields.dedupKey,
            type: fields.type,
            occurredAt: fields.occurredAt,
            receivedAt: now(),
            origin: .webhook,
            headers: headers,
            body: decoded.body,
            routes: selection.routes,
            orderKeys: selection.orderKeys
        )
        if secretIndex > 0 {
            // Signed with a later secret in the list: a rotation is under way.
            logger[metadataKey: "secret_index"] = "\(secretIndex)"
        }
        logger[metadataKey: "event_id"] = "\(fields.id)"
        logger[metadataKey: "type"] = "\(fields.type)"
        do {
            let result = try await inbox.store(event)
            metrics?.eventReceived(source: source.name, origin: .webhook, stored: result == .stored)
            if result == .stored {
                // An event no route wants creates no delivery: nothing for the worker to do.
                if !event.routes.isEmpty { await signal.wake() }
                logger.info("event stored", metadata: ["routes": "\(event.routes.count)"])
            } else {
                logger.info("duplicate event ignored")
            }
            return Self.reply(.ok, ["status": result == .stored ? "stored" : "duplicate", "id": fields.id])
        } catch {
            // Not stored, so not acknowledged: the provider will retry.
            logger.error("cannot store event", metadata: ["error": "\(error)"])
            return Self.reply(.serviceUnavailable, ["error": "event could not be stored; retry later"])
        }
    }

    /// How much of an oversized body is read and thrown away, in multiples of `max_body`.
    static let drainFactor = 8

    enum BodyRead {
        case body([UInt8])
        /// Longer than the limit, and read to its end.
        case tooLarge
        /// Longer than the drain cap: the rest is not to be read at all.
        case beyondDrainCap
        case unreadable
    }

    /// Reads the body up to `limit` bytes. A longer body is read on and discarded, up to
    /// ``drainFactor`` times the limit, so the connection ends cleanly: a body left unread on
    /// a `Connection: close` request stalls the connection with its buffers until the idle
    /// timeout (the reliability suite's fuzzer grew the agent to 700 MB that way). Beyond
    /// that the caller stops reading the connection.
    static func read(_ body: RequestBody, limit: Int) async -> BodyRead {
        var collected: [UInt8] = []
        var total = 0
        do {
            for try await buffer in body {
                total += buffer.readableBytes
                if total > limit * (1 + drainFactor) { return .beyondDrainCap }
                if total <= limit { collected.append(contentsOf: buffer.readableBytesView) }
            }
        } catch {
            return .unreadable
        }
        return total > limit ? .tooLarge : .body(collected)
    }

    /// Answers a provider's endpoint check; nothing is stored.
    private func answer(_ challenge: ProviderChallenge, _ document: EventDocument, source: ResolvedSource, logger: Logger) -> Response {
        guard let value = challenge.reply.render(document) else {
            return reject(.badRequest, "no challenge at \(challenge.reply)", reason: "malformed", source: source.name, logger: logger)
        }
        logger.info("endpoint check answered", metadata: ["type": "\(challenge.type)"])
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: value)))
    }

    /// - Parameter source: the configured source, or nil when the request named none.
    private func reject(_ status: HTTPResponse.Status, _ message: String, reason: String, source: String?, logger: Logger) -> Response {
        metrics?.webhookRejected(source: source ?? "(unknown)", reason: reason)
        logger.warning("webhook rejected", metadata: ["status": "\(status.code)", "reason": "\(reason)"])
        return Self.reply(status, ["error": message])
    }

    static func reply(_ status: HTTPResponse.Status, _ fields: [String: String]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: FlatJSON.object(fields))))
    }
}
