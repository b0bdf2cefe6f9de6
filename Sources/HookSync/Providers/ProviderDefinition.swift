import Foundation
import HTTPTypes
import TOMLKit

/// Everything hooksync knows about one platform, read from `providers/<name>.toml`.
///
/// Provider knowledge is data so that supporting a new platform is a file, not a fork: the
/// signature scheme and its parameters, where the event id, type and time are, which headers
/// to keep with the event, and a sample event for `hooksync send-test`.
public struct ProviderDefinition: Sendable {
    /// The signature scheme and its parameters, as declared in the `[signature]` table.
    public enum Scheme: Sendable {
        case stripe(header: HTTPField.Name)
        case standardWebhooks(headerPrefixes: [String])

        public var name: String {
            switch self {
            case .stripe: "stripe"
            case .standardWebhooks: "standard-webhooks"
            }
        }
    }

    public var name: String
    public var title: String
    /// Where the definition came from: a file path, or `built-in`.
    public var origin: String
    public var scheme: Scheme
    public var tolerance: Duration
    public var contentTypes: [String]
    /// Request headers stored with the event (lowercased), beyond `content-type`.
    public var keepHeaders: [HTTPField.Name]
    public var idField: FieldSource
    public var typeField: FieldSource
    public var occurredAtField: FieldSource?
    public var occurredAtFormat: TimestampFormat
    public var sample: Sample?

    /// A template for `send-test`: `{{id}}`, `{{type}}`, `{{unix}}` and `{{rfc3339}}` are filled in.
    public struct Sample: Sendable {
        public var type: String
        public var idPrefix: String
        public var body: String
    }

    /// The scheme configured with a tolerance (a source may override the provider's).
    public func signatureScheme(tolerance override: Duration? = nil) -> any SignatureScheme {
        let tolerance = override ?? self.tolerance
        switch scheme {
        case .stripe(let header): return StripeSignature(header: header, tolerance: tolerance)
        case .standardWebhooks(let prefixes): return StandardWebhooksSignature(headerPrefixes: prefixes, tolerance: tolerance)
        }
    }

    /// Whether a request's `Content-Type` is one this provider sends (parameters ignored).
    public func accepts(contentType: String?) -> Bool {
        guard let contentType else { return true }
        let essence = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return contentTypes.contains(essence)
    }

    /// Reads a provider file's text; every problem is reported with the file and key.
    public static func parse(_ text: String, file: String, origin: String) throws(ConfigError) -> ProviderDefinition {
        let root = TOMLReader(table: try TOMLTable.parse(text, file: file), collector: ConfigIssueCollector(file: file))
        root.rejectUnknownKeys(["name", "title", "content_types", "keep_headers", "signature", "event", "sample"])
        let name = root.string("name", required: true)
        let title = root.string("title") ?? name ?? ""
        let contentTypes = (root.strings("content_types") ?? ["application/json"]).map { $0.lowercased() }
        var keepHeaders: [HTTPField.Name] = []
        for header in root.strings("keep_headers") ?? [] {
            if let fieldName = HTTPField.Name(header) {
                keepHeaders.append(fieldName)
            } else {
                root.report("keep_headers", value: "\"\(header)\"", expected: "an HTTP header name")
            }
        }

        var scheme: Scheme?
        var tolerance = Duration.seconds(300)
        if let signature = root.table("signature") {
            signature.rejectUnknownKeys(["scheme", "header", "header_prefixes", "tolerance"])
            tolerance = signature.duration("tolerance") ?? tolerance
            switch signature.string("scheme", required: true) {
            case "stripe":
                let header = signature.string("header") ?? "Stripe-Signature"
                if let fieldName = HTTPField.Name(header) {
                    scheme = .stripe(header: fieldName)
                } else {
                    signature.report("header", value: "\"\(header)\"", expected: "an HTTP header name")
                }
            case "standard-webhooks":
                let prefixes = signature.strings("header_prefixes") ?? ["webhook"]
                if prefixes.isEmpty || prefixes.contains(where: { HTTPField.Name("\($0)-id") == nil }) {
                    signature.report(
                        "header_prefixes",
                        value: nil,
                        expected: "header name prefixes such as [\"svix\", \"webhook\"]"
                    )
                } else {
                    scheme = .standardWebhooks(headerPrefixes: prefixes)
                }
            case let other?:
                signature.report("scheme", value: "\"\(other)\"", expected: "one of \"stripe\", \"standard-webhooks\"")
            case nil:
                break
            }
        } else {
            root.report("signature", value: nil, expected: "a [signature] table (the key is required)")
        }

        var idField: FieldSource?
        var typeField: FieldSource?
        var occurredAtField: FieldSource?
        var occurredAtFormat = TimestampFormat.unix
        if let event = root.table("event") {
            event.rejectUnknownKeys(["id", "type", "occurred_at", "occurred_at_format"])
            func field(_ key: String, required: Bool) -> FieldSource? {
                guard let text = event.string(key, required: required) else { return nil }
                guard let source = FieldSource(text) else {
                    event.report(key, value: "\"\(text)\"", expected: FieldSource.expectation)
                    return nil
                }
                return source
            }
            idField = field("id", required: true)
            typeField = field("type", required: true)
            occurredAtField = field("occurred_at", required: false)
            occurredAtFormat = event.choice("occurred_at_format") ?? .unix
        } else {
            root.report("event", value: nil, expected: "an [event] table with id and type (the key is required)")
        }

        var sample: Sample?
        if let table = root.table("sample") {
            table.rejectUnknownKeys(["type", "id_prefix", "body"])
            if let type = table.string("type", required: true), let body = table.string("body", required: true) {
                sample = Sample(type: type, idPrefix: table.string("id_prefix") ?? "evt_test_", body: body)
            }
        }

        guard root.collector.issues.isEmpty, let name, let scheme, let idField, let typeField else {
            throw ConfigError(issues: root.collector.issues)
        }
        return ProviderDefinition(
            name: name,
            title: title,
            origin: origin,
            scheme: scheme,
            tolerance: tolerance,
            contentTypes: contentTypes,
            keepHeaders: keepHeaders,
            idField: idField,
            typeField: typeField,
            occurredAtField: occurredAtField,
            occurredAtFormat: occurredAtFormat,
            sample: sample
        )
    }
}
