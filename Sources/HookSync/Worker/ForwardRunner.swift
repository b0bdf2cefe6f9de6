public import AsyncHTTPClient
public import Foundation
public import HTTPTypes
public import HookSyncCore
import NIOCore
import NIOHTTP1

/// A forward route's attempt: POST the original body to a local application, re-signed per
/// Standard Webhooks so that the application verifies it with any Standard Webhooks library.
///
/// Each forward route gets its own connection pool, as large as the route's share of the
/// worker's slots: a target that hangs holds only its own route's connections, never those of
/// another route on the same host, and a route's concurrency is not capped by a shared pool.
public struct ForwardRunner: Sendable {
    /// How much of a refusing response is kept in the delivery's last error.
    public var excerptLimit: Int

    public init(excerptLimit: Int = 512) {
        self.excerptLimit = excerptLimit
    }

    /// The request a delivery forwards: body, content type, hooksync's headers and the signature.
    public static func request(
        for delivery: ClaimedDelivery,
        secret: Secret,
        timestamp: Date
    ) throws(SecretFormatError) -> (headers: HTTPFields, body: [UInt8]) {
        var headers = HTTPFields()
        headers[.contentType] = delivery.contentType ?? "application/json"
        headers[.userAgent] = "hooksync/\(HookSyncVersion.string)"
        headers[.validated("hooksync-source")] = delivery.source
        headers[.validated("hooksync-event-type")] = delivery.type
        headers[.validated("hooksync-event-id")] = delivery.eventID
        headers[.validated("hooksync-attempt")] = String(delivery.attempt)
        if delivery.late { headers[.validated("hooksync-late")] = "1" }
        // The message id is the event's, the same on every attempt, so the application can
        // deduplicate retries; Standard Webhooks ids may not contain ".".
        let id = delivery.source + "_" + delivery.eventID.replacingOccurrences(of: ".", with: "_")
        let signature = try StandardWebhooksSignature().sign(
            WebhookRequest(headers: [:], body: delivery.body),
            secret: secret,
            id: id,
            timestamp: timestamp
        )
        headers.append(contentsOf: signature)
        return (headers, delivery.body)
    }

    /// The connections of one forward route to `url`; the caller shuts them down.
    public func connection(url: String, connections: Int) -> ForwardConnection {
        if let client = ForwardClient(url: url, connections: connections, excerptLimit: excerptLimit) { return .plain(client) }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, connections))
        // As over plain HTTP: a 3xx is the application's answer, not a place to send the event.
        configuration.redirectConfiguration = .disallow
        return .tls(HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration))
    }

    public func run(
        _ delivery: ClaimedDelivery,
        url: String,
        secret: Secret,
        timeout: Duration,
        now: Date,
        connection: ForwardConnection
    ) async -> DeliveryOutcome {
        let signed: (headers: HTTPFields, body: [UInt8])
        do {
            signed = try Self.request(for: delivery, secret: secret, timestamp: now)
        } catch {
            return .rejected(reason: "cannot sign: \(error.reason)")
        }
        let answer: ForwardAnswer
        do throws(ForwardFailure) {
            switch connection {
            case .plain(let client):
                var headers = HTTPHeaders()
                for field in signed.headers { headers.add(name: field.name.rawName, value: field.value) }
                answer = try await client.post(headers: headers, body: signed.body, timeout: timeout)
            case .tls(let client):
                answer = try await post(url: url, signed: signed, timeout: timeout, client: client)
            }
        } catch {
            switch error {
            case .timedOut: return .failed(reason: "no answer within \(ConfigDuration.format(timeout))", retryAfter: nil)
            case .unreachable(let reason): return .failed(reason: "cannot reach \(url): \(reason)", retryAfter: nil)
            }
        }
        return Self.classify(status: answer.status, retryAfter: answer.retryAfter, excerpt: answer.excerpt, now: now)
    }

    /// The attempt through AsyncHTTPClient, for HTTPS.
    private func post(
        url: String,
        signed: (headers: HTTPFields, body: [UInt8]),
        timeout: Duration,
        client: HTTPClient
    ) async throws(ForwardFailure) -> ForwardAnswer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(fields: signed.headers)
        request.body = .bytes(ByteBuffer(bytes: signed.body))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .milliseconds(timeout.milliseconds))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw .timedOut
        } catch {
            throw .unreachable("\(error)")
        }
        // Only the start of the answer is read: a large error page is cut, never buffered whole.
        var head: [UInt8] = []
        var truncated = false
        do {
            for try await chunk in response.body {
                head += chunk.readableBytesView.prefix(excerptLimit - head.count)
                if head.count >= excerptLimit {
                    truncated = true
                    break
                }
            }
        } catch {
            truncated = true
        }
        return ForwardAnswer(
            status: Int(response.status.code),
            retryAfter: response.headers.first(name: "Retry-After"),
            excerpt: String(decoding: head, as: UTF8.self) + (truncated ? "…" : ""),
            keepAlive: true
        )
    }

    /// 2xx succeeds; 408, 425, 429 and 5xx are retried (honouring `Retry-After`); any other
    /// status is the application refusing the event, which another try will not change.
    public static func classify(status: Int, retryAfter: String?, excerpt: String, now: Date) -> DeliveryOutcome {
        if (200..<300).contains(status) { return .succeeded }
        let body = excerpt.trimmingCharacters(in: .whitespacesAndNewlines)
        let reason = "HTTP \(status)" + (body.isEmpty ? "" : ": \(body)")
        if [408, 425, 429].contains(status) || (500..<600).contains(status) {
            return .failed(reason: reason, retryAfter: PageRetryPolicy.retryAfter(retryAfter, now: now))
        }
        return .rejected(reason: reason)
    }
}

/// How a forward route reaches its application: plain HTTP through ``ForwardClient``, HTTPS
/// through AsyncHTTPClient (TLS and the system's trusted certificates).
public enum ForwardConnection: Sendable {
    case plain(ForwardClient)
    case tls(HTTPClient)

    public func shutdown() async throws {
        switch self {
        case .plain(let client): await client.shutdown()
        case .tls(let client): try await client.shutdown()
        }
    }
}
