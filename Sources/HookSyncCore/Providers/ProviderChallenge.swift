import Crypto
public import Foundation
import TOMLKit

/// The `[challenge]` table: a handshake or keep-alive request the provider sends to check an
/// endpoint, answered as the provider expects instead of being stored as an event.
///
/// - Slack's Events API posts `{"type":"url_verification","challenge":"…"}` and wants the challenge back.
/// - Twitch marks its check with a header and wants `/challenge` back as text.
/// - Zoom wants JSON with the token and its HMAC; Discord an empty 204 for its PING.
/// - Meta sends a `GET` whose query holds `hub.challenge` and the `hub.verify_token` the
///   operator chose, and wants the challenge back only when the token matches.
///
/// A `POST` challenge is signed like any delivery and verified first, unless the provider sends
/// it unsigned (WooCommerce's `webhook_id=<n>` ping): such a challenge is recognised only in a
/// small request without any signature, and its answer says nothing of the secret. A `GET`
/// carries no signature: it is answered only when the source's `verify_token` matches. None
/// stores anything.
public struct ProviderChallenge: Sendable {
    public enum Method: String, Sendable, CaseIterable {
        case post = "POST"
        case get = "GET"
    }

    public enum Reply: Sendable {
        /// The rendered value, as `text/plain`.
        case text(FieldRule)
        /// A fixed body, such as Intercom's empty one for its `ping`.
        case fixed(String, contentType: String)
        /// A JSON object of rendered values; those in `signed` are replaced by the hex
        /// HMAC-SHA256 of their value keyed by the secret that verified the request (Zoom).
        case json([String: FieldRule], signed: Set<String>)
    }

    public var method: Method
    /// What identifies the handshake; nil means the `[event] type` rule.
    public var field: FieldRule?
    /// The value `field` has for the handshake; nil when any value marks it (WooCommerce's
    /// ping is any `webhook_id`).
    public var type: String?
    /// True for a handshake the provider sends without a signature.
    public var unsigned: Bool
    public var reply: Reply
    /// For `GET` handshakes: where the request carries the source's `verify_token`.
    public var verifyToken: FieldRule?
    /// The 2xx status of the answer: Discord wants 204 for its webhook events' PING.
    public var replyStatus: Int = 200

    /// Whether a verified request (or a `GET`'s query) is this handshake.
    public func matches(_ document: EventDocument, eventType: FieldRule) -> Bool {
        guard let value = (field ?? eventType).render(document) else { return false }
        return type.map { $0 == value } ?? true
    }

    /// The most an unsigned handshake's body may hold: it is parsed before anything proves who sent it.
    public static let unsignedBodyLimit = 1024

    /// Whether the request's token is the source's, compared in constant time.
    public func tokenMatches(_ document: EventDocument, expected: Secret?) -> Bool {
        guard let verifyToken else { return true }
        guard let expected, let presented = verifyToken.render(document) else { return false }
        return SHA256.hash(data: Array(presented.utf8)) == SHA256.hash(data: Array(expected.value.utf8))
    }

    /// The body pointers the reply and the match read.
    public var pointers: [JSONPointer] {
        var pointers = (field?.pointers ?? []) + (verifyToken?.pointers ?? [])
        switch reply {
        case .text(let rule): pointers += rule.pointers
        case .fixed: break
        case .json(let fields, _): pointers += fields.values.flatMap(\.pointers)
        }
        return pointers
    }

    /// The answer's body and content type, or nil when a value it needs is missing.
    /// - Parameter secret: the secret that verified the request, for Zoom's signed token.
    public func answer(_ document: EventDocument, secret: Secret?) -> (body: String, contentType: String)? {
        switch reply {
        case .text(let rule):
            return rule.render(document).map { ($0, "text/plain; charset=utf-8") }
        case .fixed(let body, let contentType):
            return (body, contentType)
        case .json(let fields, let signed):
            var object: [String: String] = [:]
            for (name, rule) in fields {
                guard let value = rule.render(document) else { return nil }
                if signed.contains(name) {
                    guard let secret else { return nil }
                    let code = HMAC<SHA256>.authenticationCode(for: Array(value.utf8), using: SymmetricKey(data: Array(secret.value.utf8)))
                    object[name] = HexEncoding.encode(Array(code))
                } else {
                    object[name] = value
                }
            }
            return (FlatJSON.object(object), "application/json")
        }
    }

    /// How the reply is described in `hooksync providers`.
    public var summary: String {
        let when = type.map { "\(field?.description ?? "type") = \"\($0)\"" } ?? "\(field?.description ?? "type") is present"
        let answer =
            switch reply {
            case .text(let rule): "answered with \(rule)"
            case .fixed(let body, _): body.isEmpty ? "answered with an empty \(replyStatus)" : "answered with \(body)"
            case .json(let fields, _): "answered with JSON {\(fields.keys.sorted().joined(separator: ", "))}"
            }
        return "\(unsigned ? "unsigned " : "")\(method.rawValue) where \(when), \(answer)" + (verifyToken == nil ? "" : " when verify_token matches")
    }
}

extension ProviderChallenge {
    init?(reading table: TOMLReader) {
        table.rejectUnknownKeys(
            [
                "method", "field", "type", "unsigned", "reply", "reply_body", "reply_content_type", "reply_json", "signed_fields", "verify_token",
                "reply_status",
            ]
        )
        let method: Method = table.choice("method") ?? .post
        let field = table.fieldRule("field", required: false)
        let type = table.string("type")
        if type == nil && field == nil {
            table.report("type", value: nil, expected: "the value that marks the handshake, or a field whose presence marks it")
        }
        let unsigned = table.bool("unsigned") ?? false
        if unsigned && method == .get {
            table.report("unsigned", value: "true", expected: "false: a GET handshake is always unsigned and checked by verify_token")
        }
        let verifyToken = table.fieldRule("verify_token", required: false)
        if method == .get && verifyToken == nil {
            table.report(
                "verify_token",
                value: nil,
                expected: "where a GET handshake carries the token (it has no signature), such as \"/hub.verify_token\""
            )
        }
        var reply: Reply?
        let given = ["reply", "reply_body", "reply_json"].filter(table.contains)
        if given.count != 1 {
            table.report(
                "reply",
                value: nil,
                expected: "exactly one of reply (a field rule), reply_body (fixed text) or reply_json (a table of field rules)"
            )
        } else if table.contains("reply") {
            reply = table.fieldRule("reply", required: true).map(Reply.text)
        } else if let body = table.string("reply_body") {
            reply = .fixed(body, contentType: table.string("reply_content_type") ?? "text/plain; charset=utf-8")
        } else if let json = table.table("reply_json") {
            var fields: [String: FieldRule] = [:]
            for name in json.table.keys {
                if let rule = json.fieldRule(name, required: true) { fields[name] = rule }
            }
            let signed = Set(table.strings("signed_fields") ?? [])
            if unsigned && !signed.isEmpty {
                table.report("signed_fields", value: nil, expected: "none: an unsigned handshake proves no secret to answer with")
            }
            for name in signed.subtracting(fields.keys).sorted() {
                table.report("signed_fields", value: "\"\(name)\"", expected: "names of reply_json fields")
            }
            reply = .json(fields, signed: signed)
        }
        guard type != nil || field != nil, let reply else { return nil }
        self.init(method: method, field: field, type: type, unsigned: unsigned, reply: reply, verifyToken: verifyToken)
        replyStatus = table.int("reply_status", in: 200...299) ?? 200
    }
}
