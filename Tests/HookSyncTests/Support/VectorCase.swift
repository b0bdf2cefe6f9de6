import Foundation
import HTTPTypes
import Testing

@testable import HookSync
@testable import HookSyncCore

/// One signed webhook request known to verify, with what hooksync must make of it, and the
/// mutations of it that must be refused. Built from the reference vectors (`Vectors`) and from
/// the SDK-generated `Tests/Vectors/sdk-vectors.json`.
struct VectorCase: Sendable, CustomTestStringConvertible {
    struct Expected: Sendable, Equatable {
        var id: String
        var type: String
        var dedupKey: String
    }

    var name: String
    var provider: String
    var secrets: [String]
    /// A well-formed secret that did not sign the request.
    var wrongSecret: String
    var webhookURL: String?
    var query: String?
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    var now: Date
    /// Every header that carries a signature: dropping them all must be refused.
    var signatureHeaders: [String]
    /// For a signature inside the body: the body without it, which must be refused.
    var unsignedBody: [UInt8]?
    /// The provider's signature does not cover the whole body (a token, basic auth, Mailgun's
    /// timestamp and token): changing a byte of the event cannot be detected.
    var bodyUnsigned = false
    /// The replay window, for providers whose timestamp is checked.
    var tolerance: TimeInterval?
    /// The timestamp the request carries, when `now` is not that time.
    var signedAt: Date?
    var refusesFuture = false
    /// Square signs the URL: the same request checked against the URL with a `/` must fail.
    var trailingSlashRefused = false
    /// 200 for events; 400 for signature-only vectors whose body is no event.
    var expectedStatus = 200
    var expected: Expected?
    /// For a batch: every event the request holds, each stored on its own.
    var expectedBatch: [Expected]?
    /// For endpoint checks: the text the receiver must answer with, storing nothing.
    var expectedReply: String?

    var testDescription: String { name }

    var httpHeaders: HTTPFields {
        var fields = HTTPFields()
        for (name, value) in headers { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return fields
    }

    /// A request sent to the receiver, and the status it must get.
    struct Variant: Sendable {
        var label: String
        var source: String
        var headers: HTTPFields
        var body: [UInt8]
        var now: Date
        var status: HTTPResponse.Status
    }

    var original: Variant {
        Variant(label: "original", source: "vector", headers: httpHeaders, body: body, now: now, status: .init(code: expectedStatus))
    }

    /// Each way the request can be tampered with, replayed or misconfigured.
    var mutations: [Variant] {
        var variants: [Variant] = []
        if !bodyUnsigned {
            var changed = body
            changed[changed.count / 2] ^= 0x01
            variants.append(
                Variant(label: "one body byte changed", source: "vector", headers: httpHeaders, body: changed, now: now, status: .unauthorized)
            )
        }
        variants.append(Variant(label: "wrong secret", source: "wrong", headers: httpHeaders, body: body, now: now, status: .unauthorized))
        if !signatureHeaders.isEmpty {
            var unsigned = httpHeaders
            for name in signatureHeaders { unsigned[HTTPField.Name(name)!] = nil }
            variants.append(
                Variant(label: "signature header dropped", source: "vector", headers: unsigned, body: body, now: now, status: .unauthorized)
            )
        }
        if let unsignedBody {
            variants.append(
                Variant(
                    label: "signature removed from the body",
                    source: "vector",
                    headers: httpHeaders,
                    body: unsignedBody,
                    now: now,
                    status: .unauthorized
                )
            )
        }
        if let tolerance {
            let late = (signedAt ?? now).addingTimeInterval(tolerance + 1)
            variants.append(Variant(label: "stale timestamp", source: "vector", headers: httpHeaders, body: body, now: late, status: .unauthorized))
            if refusesFuture {
                let early = (signedAt ?? now).addingTimeInterval(-tolerance - 1)
                variants.append(
                    Variant(label: "timestamp in the future", source: "vector", headers: httpHeaders, body: body, now: early, status: .unauthorized)
                )
            }
        }
        if trailingSlashRefused {
            variants.append(
                Variant(label: "trailing slash in the URL", source: "slash", headers: httpHeaders, body: body, now: now, status: .unauthorized)
            )
        }
        return variants
    }

    /// The sources a harness needs: the right secrets, a wrong one, and a URL with a slash.
    /// A public-key provider's keys go in `public_key`; a GET handshake needs a `verify_token`.
    var sources: (configs: [SourceConfig], environment: [String: String]) {
        let definition = (try? ProviderRegistry.builtIn())?.providers[provider]
        let publicKey = definition?.scheme.keyKind == .publicKey
        let verifyToken: SecretReference? = definition?.challenge?.verifyToken == nil ? nil : .environment("VERIFY_TOKEN")
        var environment: [String: String] = ["WRONG_SECRET": wrongSecret, "VERIFY_TOKEN": "vector-verify-token"]
        var references: [SecretReference] = []
        for (index, secret) in secrets.enumerated() {
            environment["VECTOR_SECRET_\(index)"] = secret
            references.append(.environment("VECTOR_SECRET_\(index)"))
        }
        func source(_ name: String, _ keys: [SecretReference], url: String?) -> SourceConfig {
            SourceConfig(
                name: name,
                provider: provider,
                webhookSecrets: publicKey ? [] : keys,
                webhookURL: url,
                publicKeys: publicKey ? keys.map(\.description) : [],
                verifyToken: verifyToken
            )
        }
        var configs = [source("vector", references, url: webhookURL), source("wrong", [.environment("WRONG_SECRET")], url: webhookURL)]
        if let webhookURL {
            configs.append(source("slash", references, url: webhookURL + "/"))
        }
        return (configs, environment)
    }
}

extension VectorCase {
    /// The SDK-generated cases, read from the committed output of `make vectors`.
    static func sdkGenerated() throws -> [VectorCase] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Vectors/sdk-vectors.json")
        let document = try JSONDecoder().decode(SDKVectorFile.self, from: Data(contentsOf: file))
        return document.cases.map { item in
            VectorCase(
                name: "\(item.name) [\(item.sdk)]",
                provider: item.provider,
                secrets: item.secrets,
                wrongSecret: item.wrong_secret,
                webhookURL: item.webhook_url,
                query: item.query,
                headers: item.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                body: Array(item.body.utf8),
                now: Date(timeIntervalSince1970: item.now),
                signatureHeaders: item.signature_headers ?? item.signature_header.map { [$0] } ?? [],
                unsignedBody: item.unsigned_body.map { Array($0.utf8) },
                bodyUnsigned: item.body_unsigned ?? false,
                tolerance: item.tolerance,
                refusesFuture: item.refuses_future ?? false,
                trailingSlashRefused: item.trailing_slash_refused ?? false,
                expectedStatus: item.expect_status,
                expected: item.expect.map { Expected(id: $0.id, type: $0.type, dedupKey: $0.dedup_key) },
                expectedBatch: item.expect_batch?.map { Expected(id: $0.id, type: $0.type, dedupKey: $0.dedup_key) },
                expectedReply: item.expect_reply
            )
        }
    }
}

/// The JSON written by `Tests/Vectors/generate-sdk-vectors.py`.
private struct SDKVectorFile: Decodable {
    struct Item: Decodable {
        struct Expect: Decodable {
            var id: String
            var type: String
            var dedup_key: String
        }

        var name: String
        var provider: String
        var sdk: String
        var secrets: [String]
        var wrong_secret: String
        var webhook_url: String?
        var query: String?
        var headers: [String: String]
        var body: String
        var signature_header: String?
        var signature_headers: [String]?
        var unsigned_body: String?
        var body_unsigned: Bool?
        var tolerance: Double?
        var refuses_future: Bool?
        var trailing_slash_refused: Bool?
        var now: Double
        var expect_status: Int
        var expect: Expect?
        var expect_batch: [Expect]?
        var expect_reply: String?
    }

    var cases: [Item]
}
