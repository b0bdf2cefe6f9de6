import Foundation
public import HTTPTypes

/// The `[event]` table of a provider file: how to turn a verified request into an event.
public struct EventMapping: Sendable {
    public var id: FieldRule
    public var type: FieldRule
    /// Defaults to the id. Shopify's is the resource and its `updated_at`, so that a polled copy
    /// of the same resource state is recognised as the same event.
    public var dedupKey: FieldRule
    public var occurredAt: FieldRule?
    public var occurredAtFormat: TimestampFormat
    /// For form-encoded deliveries whose event is JSON inside one parameter (GitHub's and Slack's `payload`).
    public var formPayload: String?
    /// For providers that send several events in one request (Adyen, SendGrid, HubSpot, Meta):
    /// where the events are. Each is read by the rules above and stored on its own.
    public var batch: [BatchPath] = []
    /// How the `form_payload` parameter holds the event: JSON, or base64 of XML (Braintree's `bt_payload`).
    public var payloadFormat: PayloadFormat = .json

    public enum PayloadFormat: String, Sendable, CaseIterable {
        case json
        case base64XML = "base64_xml"
    }

    public init(
        id: FieldRule,
        type: FieldRule,
        dedupKey: FieldRule? = nil,
        occurredAt: FieldRule? = nil,
        occurredAtFormat: TimestampFormat = .unix,
        formPayload: String? = nil
    ) {
        self.id = id
        self.type = type
        self.dedupKey = dedupKey ?? id
        self.occurredAt = occurredAt
        self.occurredAtFormat = occurredAtFormat
        self.formPayload = formPayload
    }

    /// A request body made addressable, and what to store for it.
    public struct Decoded {
        public var document: EventDocument
        /// The JSON of a form's payload parameter, or the body as received.
        public var body: [UInt8]
        public var contentType: String?
    }

    /// The body pointers of the id, type, dedup key and time.
    public var pointers: [JSONPointer] {
        [id, type, dedupKey].flatMap(\.pointers) + (occurredAt?.pointers ?? [])
    }

    /// Parses the body as its content type says. A form whose `form_payload` parameter is
    /// present becomes that JSON document; other forms become a flat object of their fields.
    /// A JSON document holds only what `projection` keeps; the rest is checked, not built.
    public func decode(
        headers: HTTPFields,
        body: [UInt8],
        keeping projection: JSONProjection = .everything
    ) throws(EventParseError) -> Decoded {
        let contentType = headers[.contentType]
        if MediaType.essence(of: contentType) == "application/x-www-form-urlencoded" {
            let fields = FormEncoding.object(body)
            guard let formPayload, let payload = fields[formPayload] as? String else {
                return Decoded(document: EventDocument(headers: headers, body: fields), body: body, contentType: contentType)
            }
            switch payloadFormat {
            case .json:
                let json = Array(payload.utf8)
                guard let document = EventDocument(headers: headers, json: json, keeping: projection) else { throw .malformedJSON }
                return Decoded(document: document, body: json, contentType: "application/json")
            case .base64XML:
                // The event is stored as the XML it is; pointers walk its tree.
                guard let xml = Data(base64Encoded: payload, options: .ignoreUnknownCharacters).map(Array.init),
                    let tree = XMLTree.parse(xml)
                else { throw .malformedXML }
                return Decoded(document: EventDocument(headers: headers, body: tree), body: xml, contentType: "application/xml")
            }
        }
        guard let document = EventDocument(headers: headers, json: body, keeping: projection) else { throw .malformedJSON }
        return Decoded(document: document, body: body, contentType: contentType)
    }

    /// One event of a request: its fields, the document they were read from, and the body to store.
    public struct Item {
        public var fields: EventFields
        public var document: EventDocument
        public var body: [UInt8]
    }

    /// The events a decoded request holds: itself, or each element of a batch with the
    /// request's headers. A batch may be empty; every element must be an event.
    public func items(of decoded: Decoded) throws(EventParseError) -> [Item] {
        guard !batch.isEmpty else {
            return [Item(fields: try fields(of: decoded.document), document: decoded.document, body: decoded.body)]
        }
        var items: [Item] = []
        for path in batch {
            for element in path.items(in: decoded.document.body) {
                guard element is [String: Any], let body = JSONTree.serialize(element) else { throw .malformedJSON }
                let document = EventDocument(headers: decoded.document.headers, body: element)
                items.append(Item(fields: try fields(of: document), document: document, body: body))
            }
        }
        return items
    }

    /// Decodes a body and reads its fields in one step.
    public func fields(headers: HTTPFields, body: [UInt8]) throws(EventParseError) -> EventFields {
        try fields(of: try decode(headers: headers, body: body).document)
    }

    /// Reads the event's id, type, dedup key and time.
    public func fields(of document: EventDocument) throws(EventParseError) -> EventFields {
        EventFields(
            id: try Self.required("id", id, document),
            type: try Self.required("type", type, document),
            dedupKey: try Self.required("dedup_key", dedupKey, document),
            occurredAt: occurredAt?.render(document).flatMap(occurredAtFormat.parse)
        )
    }

    private static func required(_ name: String, _ rule: FieldRule, _ document: EventDocument) throws(EventParseError) -> String {
        guard let value = rule.render(document) else { throw .missingField(name: name, source: rule.description) }
        return value
    }
}

extension EventMapping {
    init?(reading table: TOMLReader) {
        table.rejectUnknownKeys(["id", "type", "dedup_key", "occurred_at", "occurred_at_format", "form_payload", "payload_format", "batch"])
        let id = table.fieldRule("id", required: true)
        let type = table.fieldRule("type", required: true)
        let dedupKey = table.fieldRule("dedup_key", required: false)
        let occurredAt = table.fieldRule("occurred_at", required: false)
        let format: TimestampFormat = table.choice("occurred_at_format") ?? .unix
        let formPayload = table.string("form_payload")
        for (key, rule) in [("id", id), ("dedup_key", dedupKey)] {
            guard let rule, rule.templates.contains(where: { !$0.hasPlaceholder }) else { continue }
            table.report(
                key,
                value: "\"\(rule)\"",
                expected: "templates that each read a header or a body field (plain text would make every event the same)"
            )
        }
        var batch: [BatchPath] = []
        for text in table.strings("batch") ?? [] {
            if let path = BatchPath(text) {
                batch.append(path)
            } else {
                table.report(
                    "batch",
                    value: "\"\(text)\"",
                    expected: "a JSON pointer with * for each array element, such as \"/*\" or \"/items/*/event\""
                )
            }
        }
        guard let id, let type else { return nil }
        self.init(id: id, type: type, dedupKey: dedupKey, occurredAt: occurredAt, occurredAtFormat: format, formPayload: formPayload)
        self.batch = batch
        self.payloadFormat = table.choice("payload_format") ?? .json
    }
}
