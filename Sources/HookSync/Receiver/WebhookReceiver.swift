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
    private let replays = ReplayGuard()
    private let certificates = CertificateStore()

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
            // The worker yields to the receiver while webhooks arrive (DrainBudget).
            signal.receiver.began()
            defer { signal.receiver.finished() }
            return await receive(request, sourceName: context.parameters.get("source") ?? "") {
                channel.close(mode: .input, promise: nil)
            }
        }
        router.get("/webhooks/:source") { request, context in
            handshake(request, sourceName: context.parameters.get("source") ?? "")
        }
        // Intercom, among others, checks a new endpoint with HEAD before it sends anything.
        router.head("/webhooks/:source") { _, context in
            let known = sources[context.parameters.get("source") ?? ""]?.config.mode.acceptsWebhooks == true
            return Response(status: known ? .ok : .notFound)
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
        do throws(SignatureFailure) {
            var secrets = source.secrets
            if let certificate = source.scheme.certificateSource {
                secrets = [Secret(try await fetchCertificate(certificate, request.headers))]
            }
            secretIndex = try source.scheme.verify(webhook, secrets: secrets, now: now())
        } catch {
            if case .missingHeader = error, let response = unsignedHandshake(request.headers, body, source: source, logger: logger) {
                return response
            }
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
        let items: [EventMapping.Item]
        do {
            decoded = try mapping.decode(headers: request.headers, body: body, keeping: source.projection)
            if let challenge = source.provider.challenge, challenge.method == .post, challenge.matches(decoded.document, eventType: mapping.type) {
                return answer(challenge, decoded.document, secret: source.secrets[secretIndex], source: source, logger: logger)
            }
            items = try mapping.items(of: decoded)
        } catch {
            return reject(.badRequest, error.description, reason: "malformed", source: source.name, logger: logger)
        }
        var headers = source.provider.keptHeaders(from: request.headers)
        // A batch's events are stored as the JSON of each element.
        headers[HTTPField.Name.contentType.canonicalName] = mapping.batch.isEmpty ? decoded.contentType : "application/json"
        let receivedAt = now()
        let events = items.map { item in
            let selection = config.selectRoutes(source: source.name, type: item.fields.type, document: item.document)
            return IncomingEvent(
                source: source.name,
                eventID: item.fields.id,
                dedupKey: item.fields.dedupKey,
                type: item.fields.type,
                occurredAt: item.fields.occurredAt,
                receivedAt: receivedAt,
                origin: .webhook,
                headers: headers,
                body: item.body,
                routes: selection.routes,
                orderKeys: selection.orderKeys
            )
        }
        if secretIndex > 0 {
            // Signed with a later secret in the list: a rotation is under way.
            logger[metadataKey: "secret_index"] = "\(secretIndex)"
        }
        var claimed: String?
        if let key = source.scheme.replayKey {
            guard let value = decoded.document.text(at: key) else {
                return reject(.unauthorized, "missing one-time value \(key)", reason: "missing_header", source: source.name, logger: logger)
            }
            let lifetime = max(source.scheme.tolerance ?? .zero, .seconds(1))
            guard await replays.claim(value, source: source.name, lifetime: lifetime, now: now()) else {
                return reject(.unauthorized, "replayed request: \(key) was seen before", reason: "replayed", source: source.name, logger: logger)
            }
            claimed = value
        }
        do {
            return try await store(events, of: source, batch: !mapping.batch.isEmpty, logger: logger)
        } catch {
            // Not stored, so not acknowledged: the provider will retry, and the retry must get in.
            if let claimed { await replays.release(claimed, source: source.name) }
            logger.error("cannot store event", metadata: ["error": "\(error)", "events": "\(events.count)"])
            return Self.reply(.serviceUnavailable, ["error": "event could not be stored; retry later"])
        }
    }

    /// Stores a request's events and answers as the provider expects, once all are committed.
    private func store(_ events: [IncomingEvent], of source: ResolvedSource, batch: Bool, logger: Logger) async throws -> Response {
        // One event goes through the group commit; a batch is one transaction of its own,
        // so the provider is answered only once every event of it is stored.
        let results =
            events.count == 1 && !batch
            ? [try await inbox.store(events[0])]
            : try await inbox.storePage(events, source: source.name, cursor: nil, leader: nil)
        var wake = false
        for (event, result) in zip(events, results) {
            metrics?.eventReceived(source: source.name, origin: .webhook, stored: result == .stored)
            var logger = logger
            logger[metadataKey: "event_id"] = "\(event.eventID)"
            logger[metadataKey: "type"] = "\(event.type)"
            if result == .stored {
                // An event no route wants creates no delivery: nothing for the worker to do.
                wake = wake || !event.routes.isEmpty
                logger.info("event stored", metadata: ["routes": "\(event.routes.count)"])
            } else {
                logger.info("duplicate event ignored")
            }
        }
        if wake { await signal.wake() }
        let delivery = source.provider.delivery
        if delivery.ackBody != nil || delivery.ackStatus != nil {
            let body = delivery.ackBody ?? ""
            return Self.fixed(delivery.ackStatus ?? 200, body, contentType: body.hasPrefix("{") ? "application/json" : "text/plain; charset=utf-8")
        }
        let stored = results.filter { $0 == .stored }.count
        guard !batch else {
            let status = stored > 0 ? "stored" : events.isEmpty ? "empty" : "duplicate"
            return Self.reply(.ok, ["status": status, "events": "\(events.count)", "stored": "\(stored)"])
        }
        return Self.reply(.ok, ["status": stored > 0 ? "stored" : "duplicate", "id": events[0].eventID])
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

    /// Answers `GET /webhooks/<source>`: the handshake of a provider that checks an endpoint
    /// with a `GET` (Meta), when the request carries the source's `verify_token`.
    func handshake(_ request: Request, sourceName: String) -> Response {
        var logger = logger
        logger[metadataKey: "source"] = "\(sourceName)"
        guard let source = sources[sourceName], source.config.mode.acceptsWebhooks else {
            return reject(.notFound, "unknown source \"\(sourceName)\"", reason: "unknown_source", source: nil, logger: logger)
        }
        guard let challenge = source.provider.challenge, challenge.method == .get else {
            return reject(.methodNotAllowed, "\(source.provider.title) webhooks are POSTed", reason: "method", source: source.name, logger: logger)
        }
        var query: [String: Any] = [:]
        for (name, value) in request.uri.queryParameters where query[String(name)] == nil {
            query[String(name)] = String(value)
        }
        let document = EventDocument(headers: request.headers, body: query)
        guard challenge.matches(document, eventType: source.provider.event.type) else {
            return reject(.badRequest, "not a \(source.provider.title) handshake", reason: "malformed", source: source.name, logger: logger)
        }
        guard challenge.tokenMatches(document, expected: source.verifyToken) else {
            return reject(
                .forbidden,
                "the handshake's verify token does not match the source's verify_token",
                reason: "mismatch",
                source: source.name,
                logger: logger
            )
        }
        return answer(challenge, document, secret: nil, source: source, logger: logger)
    }

    /// The certificate a request points to, if the provider's allow-list lets it be fetched.
    private func fetchCertificate(_ source: CertificateSource, _ headers: HTTPFields) async throws(SignatureFailure) -> String {
        guard let url = headers[source.header] else { throw .missingHeader(source.header.rawName) }
        guard source.allows(url) else {
            throw .certificate("\(source.header.rawName) is not under \(source.origins.joined(separator: " or "))")
        }
        return try await certificates.pem(for: url, now: now())
    }

    /// Answers a handshake the provider sends without a signature (WooCommerce's ping), if the
    /// request is one: nil otherwise, and the request is refused as unsigned.
    private func unsignedHandshake(_ headers: HTTPFields, _ body: [UInt8], source: ResolvedSource, logger: Logger) -> Response? {
        guard let challenge = source.provider.challenge, challenge.unsigned, challenge.method == .post,
            body.count <= ProviderChallenge.unsignedBodyLimit,
            let document = EventDocument(signed: WebhookRequest(headers: headers, body: body)),
            challenge.matches(document, eventType: source.provider.event.type)
        else { return nil }
        return answer(challenge, document, secret: nil, source: source, logger: logger)
    }

    /// Answers a provider's endpoint check; nothing is stored.
    private func answer(
        _ challenge: ProviderChallenge,
        _ document: EventDocument,
        secret: Secret?,
        source: ResolvedSource,
        logger: Logger
    ) -> Response {
        guard let (body, contentType) = challenge.answer(document, secret: secret) else {
            return reject(.badRequest, "the handshake lacks a value its reply needs", reason: "malformed", source: source.name, logger: logger)
        }
        logger.info("endpoint check answered", metadata: ["type": "\(challenge.type ?? "handshake")"])
        return Self.fixed(challenge.replyStatus, body, contentType: contentType)
    }

    /// - Parameter source: the configured source, or nil when the request named none.
    private func reject(_ status: HTTPResponse.Status, _ message: String, reason: String, source: String?, logger: Logger) -> Response {
        metrics?.webhookRejected(source: source ?? "(unknown)", reason: reason)
        logger.warning("webhook rejected", metadata: ["status": "\(status.code)", "reason": "\(reason)"])
        return Self.reply(status, ["error": message])
    }

    /// An answer a provider prescribes: a 204 carries no body.
    static func fixed(_ status: Int, _ body: String, contentType: String) -> Response {
        guard status != 204 else { return Response(status: .noContent) }
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: .init(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func reply(_ status: HTTPResponse.Status, _ fields: [String: String]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: FlatJSON.object(fields))))
    }
}
