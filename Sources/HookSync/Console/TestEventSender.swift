import AsyncHTTPClient
public import Foundation
public import HTTPTypes
public import HookSyncCore
import NIOCore
import NIOHTTP1

/// `hooksync send-test`: builds the provider's sample event, signs it with the source's own
/// secret exactly as the provider would, and posts it to the running agent.
public struct TestEventSender: Sendable {
    public struct Outcome: Sendable {
        public var url: String
        public var eventID: String
        public var type: String
        public var status: Int
        public var response: String
    }

    public var source: ResolvedSource

    public init(source: ResolvedSource) {
        self.source = source
    }

    /// The request a provider would send: headers and body, for `type` (or the sample's).
    public func makeRequest(type: String?, now: Date = Date()) throws -> (eventID: String, type: String, headers: HTTPFields, body: [UInt8]) {
        guard let sample = source.provider.sample else {
            if source.scheme.keyKind != .secret {
                throw TestEventError(
                    "\(source.provider.title) signs with a private key only it holds: send a test event from \(source.provider.title) itself"
                )
            }
            throw TestEventError("provider \"\(source.provider.name)\" has no [sample] event to send")
        }
        guard let secret = source.secrets.first else {
            throw TestEventError("source \"\(source.name)\" has no webhook_secret to sign with")
        }
        let eventID = sample.idPrefix + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20).lowercased()
        let eventType = type ?? sample.type
        func fill(_ text: String) -> String {
            sample.fill(text, id: eventID, type: eventType, unix: String(Int(now.timeIntervalSince1970)), rfc3339: ConsoleTime.rfc3339(now))
        }
        var body = fill(sample.body)
        var headers = HTTPFields()
        headers[.contentType] = source.provider.contentTypes.first ?? "application/json"
        headers[.userAgent] = "hooksync-send-test"
        for (name, value) in sample.headers {
            headers[name] = fill(value)
        }
        if body.contains("{{signature}}"),
            let signature = try source.scheme.bodySignature(
                source.webhookRequest(headers: headers, body: Array(body.utf8), query: nil),
                secret: secret
            )
        {
            body = body.replacingOccurrences(of: "{{signature}}", with: signature)
        }
        let unsigned = source.webhookRequest(headers: headers, body: Array(body.utf8), query: nil)
        headers.append(contentsOf: try source.scheme.sign(unsigned, secret: secret, id: eventID, timestamp: now))
        return (eventID, eventType, headers, Array(body.utf8))
    }

    /// Posts a sample event to the agent listening at `address` (`host:port`).
    public func send(type: String?, address: String) async throws -> Outcome {
        let request = try makeRequest(type: type)
        let url = "http://\(address)/webhooks/\(source.name)"
        var outgoing = HTTPClientRequest(url: url)
        outgoing.method = .POST
        outgoing.headers.add(fields: request.headers)
        outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(outgoing, timeout: .seconds(10))
        } catch {
            throw TestEventError("cannot reach the agent at \(url): \(error) (is `hooksync run` running?)")
        }
        let text = String(buffer: try await response.body.collect(upTo: 64 * 1024))
        return Outcome(url: url, eventID: request.eventID, type: request.type, status: Int(response.status.code), response: text)
    }
}

/// A `send-test` that cannot be made; the message says what to fix.
public struct TestEventError: Error, Sendable, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
